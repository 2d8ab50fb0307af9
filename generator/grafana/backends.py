"""The two ways to talk to Grafana behind one small interface used by plan and publish.

:class:`LegacyBackend` speaks ``/api`` (Grafana 10-13): a paged search says which uids
exist, then one GET per dashboard that exists. :class:`ResourceBackend` speaks ``/apis``
(Grafana 12-13): one paged LIST returns every dashboard with its full spec, so planning
needs no per-dashboard read. Both report a dashboard whose read failed (after the
client's retries) in :attr:`Reads.failed` instead of raising, so one bad dashboard never
stops the others; a refused role (401/403) still stops the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import requests

from generator.errors import GrafanaAuthError, GrafanaError, GrafanaNotFound
from generator.grafana.api_choice import CLASSIC_VERSIONS, ApiChoice, detect, namespace_for
from generator.grafana.background import Background
from generator.grafana.client import GrafanaClient, RemoteDashboard
from generator.grafana.resources import HASH_ANNOTATION, ResourceClient
from generator.grafana.state import MANAGED_TAG


@dataclass
class Survey:
    """What one listing says: every dashboard uid, the managed ones, legacy search hits."""

    existing: set[str]
    managed: set[str]
    hits: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass(frozen=True)
class Write:
    """One dashboard write: the stamped JSON, its hash, where, over what, and why."""

    uid: str
    stamped: dict[str, Any]
    fingerprint: str
    folder_uid: str
    remote: RemoteDashboard | None
    message: str


@dataclass
class Reads:
    """Dashboards read (None: absent) and, by uid, the error of each read that failed."""

    remotes: dict[str, RemoteDashboard | None]
    failed: dict[str, str]


class Backend(Protocol):
    choice: ApiChoice

    def dashboard_url(self, uid: str) -> str: ...

    def survey(self) -> Survey: ...

    def read_many(self, uids: Sequence[str], parallel: int) -> Reads: ...

    def read(self, uid: str) -> RemoteDashboard | None: ...

    def write(self, write: Write) -> None: ...

    def delete(self, uid: str) -> bool: ...

    def folders_present(self, uids: set[str]) -> set[str]: ...

    def folder_exists(self, uid: str) -> bool: ...

    def create_folder(self, uid: str, title: str, parent_uid: str | None) -> None: ...


def _guarded_read(read: Any, uid: str) -> tuple[str, RemoteDashboard | None, str]:
    try:
        return uid, read(uid), ""
    except GrafanaAuthError:
        raise
    except GrafanaError as exc:
        return uid, None, str(exc)


class LegacyBackend:
    """``/api``: search, then GET only the dashboards the search shows exist."""

    def __init__(self, client: GrafanaClient, choice: ApiChoice | None = None) -> None:
        self.client = client
        self.choice = choice or ApiChoice("legacy")

    def dashboard_url(self, uid: str) -> str:
        return self.client.dashboard_url(uid)

    def survey(self) -> Survey:
        hits = {str(hit.get("uid")): hit for hit in self.client.search()}
        managed = {uid for uid, hit in hits.items() if MANAGED_TAG in (hit.get("tags") or [])}
        return Survey(existing=set(hits), managed=managed, hits=hits)

    def read_many(self, uids: Sequence[str], parallel: int) -> Reads:
        reads = Reads({}, {})
        with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
            for uid, remote, error in pool.map(
                lambda u: _guarded_read(self.client.get_dashboard, u), uids
            ):
                if error:
                    reads.failed[uid] = error
                else:
                    reads.remotes[uid] = remote
        return reads

    def read(self, uid: str) -> RemoteDashboard | None:
        return self.client.get_dashboard(uid)

    def write(self, write: Write) -> None:
        body = dict(write.stamped)
        remote = write.remote
        # A schema-v2 dashboard hides its version from /api: only a forced plan gets here.
        overwrite = remote is not None and remote.schema_v2
        if remote is not None and not overwrite:
            body["version"] = remote.version
        self.client.save_dashboard(
            body, folder_uid=write.folder_uid, message=write.message, overwrite=overwrite
        )

    def delete(self, uid: str) -> bool:
        return self.client.delete_dashboard(uid)

    def folders_present(self, uids: set[str]) -> set[str]:
        return {uid for uid in sorted(uids) if self.folder_exists(uid)}

    def folder_exists(self, uid: str) -> bool:
        return self.client.get_folder(uid) is not None

    def create_folder(self, uid: str, title: str, parent_uid: str | None) -> None:
        self.client.create_folder(uid, title, parent_uid)


class ResourceBackend:
    """``/apis``: one paged LIST holds every dashboard with its spec; reads come from it."""

    def __init__(self, client: GrafanaClient, choice: ApiChoice) -> None:
        self.client = client
        self.choice = choice
        self.resources = ResourceClient(client, choice)
        self._listed: dict[str, RemoteDashboard] = {}
        self._first_page: requests.Response | None = None

    def dashboard_url(self, uid: str) -> str:
        return self.client.dashboard_url(uid)

    def open_list(self) -> bool:
        """Fetch the LIST's first page now; False when Grafana does not serve this version."""
        try:
            self._first_page = self.resources.first_page()
        except GrafanaNotFound:
            return False
        return True

    def survey(self) -> Survey:
        first, self._first_page = self._first_page, None
        self._listed = {remote.uid: remote for remote in self.resources.list_dashboards(first)}
        managed = {uid for uid, remote in self._listed.items() if remote.managed}
        return Survey(existing=set(self._listed), managed=managed)

    def read_many(self, uids: Sequence[str], parallel: int) -> Reads:
        return Reads({uid: self._listed.get(uid) for uid in uids}, {})

    def read(self, uid: str) -> RemoteDashboard | None:
        return self.resources.get_dashboard(uid)

    def write(self, write: Write) -> None:
        remote = write.remote
        stored = self.resources.write_dashboard(
            write.uid,
            write.stamped,
            folder_uid=write.folder_uid,
            message=write.message,
            fingerprint=write.fingerprint,
            resource_version=None if remote is None else remote.resource_version,
        )
        # The docs warn that custom annotations may be silently ignored before GA.
        annotations = (stored.get("metadata") or {}).get("annotations") or {}
        if annotations.get(HASH_ANNOTATION) != write.fingerprint:
            raise GrafanaError(
                f"dashboard {write.uid!r} was written, but Grafana at {self.client.settings.url} "
                f"dropped meshdash's {HASH_ANNOTATION} annotation (custom annotations are "
                "not kept on this instance), so the next run would see it as drifted; "
                "publish through the legacy API, forcing it once to take these over",
                setting="legacy_api_forced",
            )

    def delete(self, uid: str) -> bool:
        return self.resources.delete_dashboard(uid)

    def folders_present(self, uids: set[str]) -> set[str]:
        return uids & self.resources.list_folder_uids() if uids else set()

    def folder_exists(self, uid: str) -> bool:
        return self.resources.folder_exists(uid)

    def create_folder(self, uid: str, title: str, parent_uid: str | None) -> None:
        self.resources.create_folder(uid, title, parent_uid)


def backend_for(client: GrafanaClient, choice: ApiChoice) -> Backend:
    return ResourceBackend(client, choice) if choice.resource else LegacyBackend(client, choice)


def connect(
    client: GrafanaClient, requested: str, *, namespace: str | None, org_id: int | None
) -> Backend:
    """Detect the API once (``--api``) and return the backend speaking it.

    The first page of the dashboards' LIST at ``v1``, else ``v1beta1``, both proves that
    classic version served and starts the survey, so Grafana 13 and 12 need no discovery
    request; a 404 (whatever its body) means not served. ``auto`` then falls back to the
    legacy API after ``/api/health``; ``apis`` asks discovery, to say what is served.
    """
    where = namespace_for(org_id, namespace)
    if requested in ("auto", "apis"):
        for version in CLASSIC_VERSIONS:
            probe = ResourceBackend(client, ApiChoice("apis", version, where))
            if probe.open_list():
                return probe
        if requested == "auto":
            client.health()
            return LegacyBackend(client)
    return backend_for(client, detect(client, requested, where))


def start_listing(
    client: GrafanaClient, requested: str, *, namespace: str | None, org_id: int | None
) -> Background[tuple[Backend, Survey]]:
    """:func:`connect` and the backend's survey, started in the background.

    The caller reads its build meanwhile (the listing waits on the network, the build on
    the disk and the parser).
    """

    def listing() -> tuple[Backend, Survey]:
        backend = connect(client, requested, namespace=namespace, org_id=org_id)
        return backend, backend.survey()

    return Background(listing, name="meshdash-listing")
