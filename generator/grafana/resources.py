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

from typing import Any

from generator.errors import GrafanaNotFound
from generator.grafana import state
from generator.grafana.api_choice import DASHBOARD_GROUP, FOLDER_GROUP, ApiChoice
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

    def list_dashboards(self, page_size: int = LIST_PAGE_SIZE) -> list[RemoteDashboard]:
        return [
            self.to_remote(item) for item in self._list(self.dashboards, "dashboards", page_size)
        ]

    def list_folder_uids(self) -> set[str]:
        items = self._list(self.folders, "folders", LIST_PAGE_SIZE)
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

    def _list(self, path: str, what: str, page_size: int) -> list[dict[str, Any]]:
        """Every item, following ``continue`` until a page has none (short pages included)."""
        items: list[dict[str, Any]] = []
        token = ""
        while True:
            params: dict[str, Any] = {"limit": page_size}
            if token:
                params["continue"] = token
            answer = self.client.read_whole_run(path, what=f"the list of {what}", params=params)
            page = answer.json()
            items.extend(page.get("items") or [])
            token = str((page.get("metadata") or {}).get("continue") or "")
            if not token:
                return items


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0
