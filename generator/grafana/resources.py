"""Grafana's resource API (``/apis``, Grafana 12 and 13): dashboards and folders as objects.

Facts from ``grafana-http-apis.md``: a dashboard is ``{metadata: {name = uid,
resourceVersion, generation, annotations}, spec: classic JSON}``; LIST returns full
objects in pages (``limit``, an opaque ``continue``; a page may be short and still
continue); PUT with a stale ``metadata.resourceVersion`` answers 409; Grafana drops
``spec.id/uid/version`` on write and (13) migrates ``schemaVersion`` up.

Provenance lives in annotations, not tags: :data:`HASH_ANNOTATION` holds the content
hash of what meshdash wrote (the same :func:`state.fingerprint` the legacy hash tag
abbreviates), :data:`SCHEMA_ANNOTATION` the ``schemaVersion`` it sent, so a spec Grafana
migrated still compares equal, and ``grafana.app/message`` the version message.
meshdash claims no ``grafana.app/managedBy`` kind: Grafana reserves those for its own
provisioning and tools it knows (§8), and none is documented as open to clients.
"""

from __future__ import annotations

import functools
import json
import re
from typing import Any

import requests

from generator.errors import GrafanaNotFound
from generator.grafana import state
from generator.grafana.api_choice import DASHBOARD_GROUP, FOLDER_GROUP, ApiChoice
from generator.grafana.background import Background
from generator.grafana.client import GrafanaClient, RemoteDashboard

HASH_ANNOTATION = "meshdash.dev/content-hash"
SCHEMA_ANNOTATION = "meshdash.dev/schema-version"
FOLDER_ANNOTATION = "grafana.app/folder"
MESSAGE_ANNOTATION = "grafana.app/message"
MANAGER_ANNOTATION = "grafana.app/managedBy"
LIST_PAGE_SIZE = 1000
SERVER_OWNED_SPEC = ("id", "uid", "version")


class ResourceClient:
    """Typed calls to ``dashboard.grafana.app`` and ``folder.grafana.app``."""

    def __init__(self, client: GrafanaClient, choice: ApiChoice) -> None:
        self.client = client
        self.choice = choice
        self.dashboards = choice.collection(DASHBOARD_GROUP, "dashboards")
        self.folders = choice.collection(FOLDER_GROUP, "folders")

    def first_page(self) -> requests.Response:
        """The first page of the dashboards' LIST, unparsed (:meth:`list_dashboards` goes on)."""
        return self._page(self.dashboards, "dashboards", "")

    def list_dashboards(self, first: requests.Response | None = None) -> list[RemoteDashboard]:
        """Every dashboard of the namespace, from ``first`` (:meth:`first_page`) if given."""
        items = self._list(self.dashboards, "dashboards", first)
        return [self.to_remote(item) for item in items]

    def list_folder_uids(self) -> set[str]:
        items = self._list(self.folders, "folders")
        return {str(item["metadata"]["name"]) for item in items}

    def get_dashboard(self, uid: str) -> RemoteDashboard | None:
        try:
            answer = self.client.send("GET", f"{self.dashboards}/{uid}", what=f"dashboard {uid!r}")
        except GrafanaNotFound:
            return None
        return self.to_remote(answer.json())

    def write_dashboard(
        self,
        uid: str,
        dashboard: dict[str, Any],
        *,
        folder_uid: str,
        message: str,
        fingerprint: str,
        resource_version: str | None,
    ) -> dict[str, Any]:
        """Create (``resource_version`` None) with POST, else PUT guarded by it (409 if stale).

        Returns the object Grafana answered with (what it stored)."""
        spec = {k: v for k, v in state.normalize(dashboard).items() if k not in SERVER_OWNED_SPEC}
        annotations = {HASH_ANNOTATION: fingerprint, MESSAGE_ANNOTATION: message}
        if "schemaVersion" in spec:
            annotations[SCHEMA_ANNOTATION] = str(spec["schemaVersion"])
        if folder_uid:
            annotations[FOLDER_ANNOTATION] = folder_uid
        metadata: dict[str, Any] = {"name": uid, "annotations": annotations}
        body = {"apiVersion": f"{DASHBOARD_GROUP}/{self.choice.version}", "kind": "Dashboard"}
        what = f"dashboard {uid!r}"
        if resource_version is None:
            answer = self.client.send(
                "POST",
                self.dashboards,
                what=what,
                json={**body, "metadata": metadata, "spec": spec},
            )
            return dict(answer.json())
        metadata["resourceVersion"] = resource_version
        answer = self.client.send(
            "PUT",
            f"{self.dashboards}/{uid}",
            what=what,
            json={**body, "metadata": metadata, "spec": spec},
        )
        return dict(answer.json())

    def delete_dashboard(self, uid: str) -> bool:
        try:
            self.client.send("DELETE", f"{self.dashboards}/{uid}", what=f"dashboard {uid!r}")
        except GrafanaNotFound:
            return False
        return True

    def folder_exists(self, uid: str) -> bool:
        try:
            self.client.send("GET", f"{self.folders}/{uid}", what=f"folder {uid!r}")
        except GrafanaNotFound:
            return False
        return True

    def create_folder(self, uid: str, title: str, parent_uid: str | None) -> None:
        metadata: dict[str, Any] = {"name": uid}
        if parent_uid:
            metadata["annotations"] = {FOLDER_ANNOTATION: parent_uid}
        body = {
            "apiVersion": f"{FOLDER_GROUP}/{self.choice.version}",
            "kind": "Folder",
            "metadata": metadata,
            "spec": {"title": title},
        }
        self.client.send("POST", self.folders, what=f"folder {title!r}", json=body)

    def to_remote(self, item: dict[str, Any]) -> RemoteDashboard:
        """The object as a RemoteDashboard whose JSON compares with a build's."""
        metadata = item.get("metadata") or {}
        annotations = metadata.get("annotations") or {}
        uid = str(metadata.get("name", ""))
        spec = dict(item.get("spec") or {})
        spec["uid"] = uid
        written = str(annotations.get(SCHEMA_ANNOTATION, ""))
        if written.isdigit() and _int(spec.get("schemaVersion")) >= int(written):
            spec["schemaVersion"] = int(written)  # Grafana's own migration, not an edit
        conversion = (item.get("status") or {}).get("conversion") or {}
        return RemoteDashboard(
            uid=uid,
            dashboard=spec,
            folder_uid=str(annotations.get(FOLDER_ANNOTATION) or ""),
            version=_int(metadata.get("generation")),
            url=self.client.dashboard_url(uid),
            provisioned=MANAGER_ANNOTATION in annotations,
            resource_version=str(metadata.get("resourceVersion", "")),
            recorded_hash=annotations.get(HASH_ANNOTATION),
            schema_v2=str(conversion.get("storedVersion", "")).startswith("v2"),
        )

    def _list(
        self, path: str, what: str, first: requests.Response | None = None
    ) -> list[dict[str, Any]]:
        """Every item, following ``continue`` until a page has none (short pages included).

        The next page is asked for as soon as a page has arrived, with the token its head
        shows (:func:`head_continue`), and arrives while this one is parsed; the parsed
        token decides, so a wrong guess costs one request, never a wrong listing.
        """
        items: list[dict[str, Any]] = []
        answer = first if first is not None else self._page(path, what, "")
        while True:
            guess = head_continue(answer.content)
            ahead = (
                Background(functools.partial(self._page, path, what, guess), name="meshdash-page")
                if guess
                else None
            )
            page = answer.json()
            items.extend(page.get("items") or [])
            token = str((page.get("metadata") or {}).get("continue") or "")
            if not token:
                return items
            answer = ahead.result() if ahead and guess == token else self._page(path, what, token)

    def _page(self, path: str, what: str, token: str) -> requests.Response:
        params: dict[str, Any] = {"limit": LIST_PAGE_SIZE}
        if token:
            params["continue"] = token
        return self.client.read_whole_run(path, what=f"the list of {what}", params=params)


# A LIST answer's head: ``{"kind": .., "apiVersion": .., "metadata": {flat}`` before its
# items, as Go serialises a Kubernetes list (and the stand-in does).
_LIST_HEAD = re.compile(
    rb'\s*\{\s*(?:"(?:kind|apiVersion)"\s*:\s*"[^"\\]*"\s*,\s*)*"metadata"\s*:\s*(\{[^{}]*\})'
)
HEAD_BYTES = 4096


def head_continue(body: bytes) -> str:
    """The ``continue`` token in a LIST answer's head, without parsing its items; "" if none.

    Only a guess, made to ask for the next page early: the parsed page has the last word.
    """
    match = _LIST_HEAD.match(body, 0, HEAD_BYTES)
    if match is None:
        return ""
    try:
        metadata = json.loads(match.group(1))
    except ValueError:
        return ""
    token = metadata.get("continue") if isinstance(metadata, dict) else None
    return token if isinstance(token, str) else ""


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
