"""The resource API (``/apis``) side of the Grafana stand-in, over the legacy side's store.

Written from ``/work/shared/reference/grafana-http-apis.md`` (Grafana 12 and 13), not from
Grafana's code; it never proves that real Grafana behaves the same. What it serves:

* discovery: ``GET /apis/<group>`` answers an ``APIGroup`` with the mode's ``versions`` and
  ``preferredVersion`` (``v2`` on Grafana 13, which a client must not follow blindly);
  a version the mode does not serve answers a Kubernetes 404 ``Status``.
* ``dashboard.grafana.app`` and ``folder.grafana.app``: LIST (``limit`` and an opaque
  ``continue``; a page also ends at ``max_page_bytes``, so it can be shorter than
  ``limit`` and still continue), GET, POST (409 ``AlreadyExists``; a ``resourceVersion``
  on create is a 400), PUT (a stale ``metadata.resourceVersion`` is a 409 ``Conflict``;
  an identical object is not bumped), DELETE (200 ``Status`` ``Success``).
* on write ``spec.id``, ``spec.uid`` and ``spec.version`` are dropped and, on Grafana 13,
  ``schemaVersion`` is migrated up to :data:`LATEST_SCHEMA`; ``generation`` is the legacy
  ``version``; ``grafana.app/message`` is input only (kept in the version messages).
* namespaces ``default`` (org 1) and ``org-<id>``; any other is a 403 ``Status``.
* a dashboard stored as schema v2 (a UI edit on Grafana 13) reads through ``v1``/``v1beta1``
  with ``status.conversion.storedVersion`` set.

Errors are Kubernetes ``Status`` bodies (``kind``, ``status: Failure``, ``message``,
``reason``, ``code``); 401 stays Grafana's legacy JSON (the sign-in middleware).
"""

from __future__ import annotations

import base64
import copy
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from standin_http import RawJson, Reply
from standin_rules import check_save

if TYPE_CHECKING:
    from standin import GrafanaStandIn
    from standin_rules import Stored

DASHBOARDS = "dashboard.grafana.app"
FOLDERS = "folder.grafana.app"
LATEST_SCHEMA = 41
MESSAGE = "grafana.app/message"
FOLDER = "grafana.app/folder"
SERVER_ANNOTATIONS = frozenset({MESSAGE, "grafana.app/grant-permissions"})


@dataclass(frozen=True)
class Mode:
    """What one Grafana release serves."""

    name: str
    health_version: str
    dashboard_versions: tuple[str, ...] = ()
    folder_versions: tuple[str, ...] = ()
    preferred: str = ""
    legacy_406_for_v2: bool = False
    migrates_schema: bool = False

    @property
    def serves_apis(self) -> bool:
        return bool(self.dashboard_versions)

    def classic(self, group: str, version: str) -> bool:
        served = self.dashboard_versions if group == DASHBOARDS else self.folder_versions
        return version in served and not version.startswith("v2")


MODES = {
    "grafana11": Mode("grafana11", "11.3.0"),
    "grafana12": Mode(
        "grafana12", "12.2.0", ("v0alpha1", "v1beta1", "v2alpha1"), ("v1beta1",), "v1beta1"
    ),
    "grafana13": Mode(
        "grafana13",
        "13.0.0",
        ("v1", "v1beta1", "v2beta1", "v2"),
        ("v1",),
        "v2",
        legacy_406_for_v2=True,
        migrates_schema=True,
    ),
}


def status(code: int, reason: str, message: str, **details: str) -> Reply:
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "details": details,
        "code": code,
    }
    return Reply(code, body)


def not_found(name: str = "") -> Reply:
    return status(404, "NotFound", "the server could not find the requested resource", name=name)


REASONS = {400: "BadRequest", 403: "Forbidden", 404: "NotFound", 409: "AlreadyExists"}


def as_status(reply: Reply, name: str) -> Reply:
    """The legacy side's refusal (``{"message": ...}``) as the Status /apis answers."""
    message = str(reply.body.get("message", "")) if isinstance(reply.body, dict) else ""
    code = 409 if reply.status == 412 else reply.status
    return status(code, REASONS.get(code, "BadRequest"), message, name=name)


def namespace_of(org: int) -> str:
    return "default" if org == 1 else f"org-{org}"


class ResourceApi:
    """Routes of ``/apis/...``, reading and writing the stand-in's one store."""

    def __init__(self, standin: GrafanaStandIn) -> None:
        self.s = standin

    @property
    def mode(self) -> Mode:
        return self.s.mode

    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        if not self.mode.serves_apis:
            raise Reply(404, "Not found")  # no resource-API handler: plain text, not JSON
        parts = path.strip("/").split("/")[1:]
        if len(parts) == 1 and method == "GET":
            return self.discovery(parts[0])
        if len(parts) < 5 or parts[2] != "namespaces" or parts[0] not in (DASHBOARDS, FOLDERS):
            raise not_found()
        group, version, namespace, resource = parts[0], parts[1], parts[3], parts[4]
        expected = "dashboards" if group == DASHBOARDS else "folders"
        if resource != expected or not self.mode.classic(group, version) or len(parts) > 6:
            raise not_found()
        if namespace not in {namespace_of(org) for org in self.s.orgs}:
            raise status(403, "Forbidden", f"namespace {namespace!r} is not yours")
        name = parts[5] if len(parts) == 6 else None
        store = Dashboards(self.s, group, version, namespace)
        if group == FOLDERS:
            store = Folders(self.s, group, version, namespace)
        return store.dispatch(method, name, query, body)

    def stored_bytes(self, version: str = "v1", namespace: str = "default") -> int:
        """The bytes of every dashboard a LIST at ``version`` pages through (for the bench)."""
        return Dashboards(self.s, DASHBOARDS, version, namespace).stored_bytes()

    def discovery(self, group: str) -> Any:
        versions = self.mode.dashboard_versions if group == DASHBOARDS else ()
        if group == FOLDERS:
            versions = self.mode.folder_versions
        if not versions:
            raise not_found()
        preferred = self.mode.preferred if group == DASHBOARDS else versions[0]
        entry = [{"groupVersion": f"{group}/{v}", "version": v} for v in versions]
        return {
            "kind": "APIGroup",
            "apiVersion": "v1",
            "name": group,
            "versions": entry,
            "preferredVersion": {"groupVersion": f"{group}/{preferred}", "version": preferred},
        }


class _Collection:
    """LIST/GET/POST/PUT/DELETE of one resource kind; subclasses map it onto the store."""

    kind = ""

    def __init__(self, standin: GrafanaStandIn, group: str, version: str, namespace: str):
        self.s, self.group, self.version, self.namespace = standin, group, version, namespace

    def dispatch(
        self, method: str, name: str | None, query: dict[str, list[str]], body: bytes
    ) -> Any:
        if name is None and method == "GET":
            return self.list(query)
        if name is None and method == "POST":
            return self.s.created(self.create(_object(body)))
        if name is not None and method == "GET":
            return self.get(name)
        if name is not None and method == "PUT":
            return self.update(name, _object(body))
        if name is not None and method == "DELETE":
            return self.delete(name)
        raise status(405, "MethodNotAllowed", f"{method} is not supported here")

    def list(self, query: dict[str, list[str]]) -> Any:
        limit = _int(query, "limit", 0)
        offset = _offset((query.get("continue") or [""])[0])
        with self.s._lock:
            names = self.names()
            items: list[str] = []
            size = 0
            # As unified storage does: a page ends at ``limit`` items or once it holds
            # ``max_page_bytes`` (the item that crosses the budget is still included).
            while offset < len(names) and (limit <= 0 or len(items) < limit):
                if items and size >= self.s.max_page_bytes:
                    break
                items.append(self.stored_text(names[offset]))
                size += len(items[-1])
                offset += 1
            meta: dict[str, Any] = {"resourceVersion": str(self.s.current_rv)}
            if offset < len(names):
                meta["continue"] = base64.b64encode(json.dumps({"o": offset}).encode()).decode()
        head = {"kind": f"{self.kind}List", "apiVersion": f"{self.group}/{self.version}"}
        # serialised once, under the lock, and sent as it is: a 16 MB LIST costs no copies
        text = json.dumps({**head, "metadata": meta})[:-1] + ', "items": [' + ", ".join(items)
        return RawJson(text + "]}")

    def stored_text(self, name: str) -> str:
        """The object as storage holds it, compact as Go writes it: what the budget counts."""
        return json.dumps(self.to_object(name, fresh=False), separators=(",", ":"))

    def stored_bytes(self) -> int:
        """All objects' :meth:`stored_text` (ASCII), summed: the bytes a full LIST pages."""
        with self.s._lock:
            return sum(len(self.stored_text(name)) for name in self.names())

    def names(self) -> list[str]:
        raise NotImplementedError

    def to_object(self, name: str, *, fresh: bool = True) -> dict[str, Any]:
        """The object; ``fresh=False`` shares the store's values (serialise it at once)."""
        raise NotImplementedError

    def get(self, name: str) -> Any:
        with self.s._lock:
            if name not in self.names():
                raise not_found(name)
            return self.to_object(name)

    def create(self, body: dict[str, Any]) -> Any:
        raise NotImplementedError

    def update(self, name: str, body: dict[str, Any]) -> Any:
        raise NotImplementedError

    def delete(self, name: str) -> Any:
        raise NotImplementedError

    def envelope(self, metadata: dict[str, Any], spec: dict[str, Any]) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "apiVersion": f"{self.group}/{self.version}",
            "metadata": {"namespace": self.namespace, **metadata},
            "spec": spec,
            "status": {},
        }

    def success(self, name: str) -> dict[str, Any]:
        return {
            "kind": "Status",
            "apiVersion": "v1",
            "metadata": {},
            "status": "Success",
            "details": {"name": name, "group": self.group, "kind": self.kind.lower() + "s"},
        }


class Dashboards(_Collection):
    kind = "Dashboard"

    def names(self) -> list[str]:
        return sorted(self.s.dashboards)

    def to_object(self, name: str, *, fresh: bool = True) -> dict[str, Any]:
        stored = self.s.dashboards[name]
        spec = {k: v for k, v in stored.dashboard.items() if k not in ("id", "uid", "version")}
        annotations = dict(stored.annotations)
        if stored.folder_uid:
            annotations[FOLDER] = stored.folder_uid
        metadata = {
            "name": name,
            "uid": f"internal-{stored.dashboard['id']}",
            "resourceVersion": str(stored.resource_version),
            "generation": stored.version,
            "creationTimestamp": "2026-01-23T22:06:40Z",
            "labels": {"grafana.app/deprecatedInternalID": str(stored.dashboard["id"])},
            "annotations": annotations,
        }
        body = self.envelope(metadata, copy.deepcopy(spec) if fresh else spec)
        if stored.schema_v2:
            body["status"] = {"conversion": {"failed": False, "storedVersion": "v2beta1"}}
        return body

    def create(self, body: dict[str, Any]) -> Any:
        metadata, spec = _parts(body)
        name = str(metadata.get("name") or "")
        if metadata.get("resourceVersion"):
            raise status(
                400, "BadRequest", "resourceVersion should not be set on objects to be created"
            )
        with self.s._lock:
            if name in self.s.dashboards:
                raise status(409, "AlreadyExists", f'dashboards "{name}" already exists', name=name)
            return self._store(name, metadata, spec, None)

    def update(self, name: str, body: dict[str, Any]) -> Any:
        metadata, spec = _parts(body)
        if metadata.get("name") not in (None, name):
            raise status(400, "BadRequest", "metadata.name does not match the URL", name=name)
        with self.s._lock:
            existing = self.s.dashboards.get(name)
            if existing is None:
                raise not_found(name)
            sent = metadata.get("resourceVersion")
            if sent and str(sent) != str(existing.resource_version):
                raise status(409, "Conflict", "requested RV does not match current RV", name=name)
            return self._store(name, metadata, spec, existing)

    def _store(
        self, name: str, metadata: dict[str, Any], spec: dict[str, Any], existing: Stored | None
    ) -> Any:
        annotations = {str(k): str(v) for k, v in (metadata.get("annotations") or {}).items()}
        message = annotations.get(MESSAGE, "")
        folder_uid = annotations.pop(FOLDER, "")
        kept = {k: v for k, v in annotations.items() if k not in SERVER_ANNOTATIONS}
        if self.s.drop_custom_annotations:
            kept = {k: v for k, v in kept.items() if k.startswith("grafana.app/")}
        dashboard = {k: v for k, v in spec.items() if k not in ("id", "uid", "version")}
        if self.s.mode.migrates_schema and int(dashboard.get("schemaVersion") or 0) < LATEST_SCHEMA:
            dashboard["schemaVersion"] = LATEST_SCHEMA
        dashboard["uid"] = name
        try:
            # resourceVersion, not spec.version, guards a PUT; titles stay unique per folder
            check_save(
                self.s,
                name,
                dashboard,
                folder_uid,
                existing,
                message,
                overwrite=False,
                versioned=False,
            )
        except Reply as reply:
            raise as_status(reply, name) from None
        if (
            existing is not None
            and not existing.schema_v2
            and {**existing.dashboard, "version": 0, "id": 0}
            == {**dashboard, "version": 0, "id": 0}
            and existing.folder_uid == folder_uid
            and existing.annotations == kept
        ):
            return self.to_object(name)  # identical: no new resourceVersion, no new version
        self.s.put(name, dashboard, folder_uid, existing, message, annotations=kept)
        return self.to_object(name)

    def delete(self, name: str) -> Any:
        with self.s._lock:
            if name not in self.s.dashboards:
                raise not_found(name)
            self.s.remove(name)
            return self.success(name)


class Folders(_Collection):
    kind = "Folder"

    def names(self) -> list[str]:
        return sorted(self.s.folders)

    def to_object(self, name: str, *, fresh: bool = True) -> dict[str, Any]:
        folder = self.s.folders[name]
        annotations = {FOLDER: folder["parentUid"]} if folder.get("parentUid") else {}
        metadata = {
            "name": name,
            "resourceVersion": str(folder.get("resourceVersion", 1)),
            "generation": folder["version"],
            "annotations": annotations,
        }
        return self.envelope(metadata, {"title": folder["title"]})

    def create(self, body: dict[str, Any]) -> Any:
        metadata, spec = _parts(body)
        name = str(metadata.get("name") or "")
        parent = (metadata.get("annotations") or {}).get(FOLDER) or None
        with self.s._lock:
            if name in self.s.folders:
                raise status(409, "AlreadyExists", f'folders "{name}" already exists', name=name)
            try:
                self.s.create_folder({"uid": name, "title": spec.get("title"), "parentUid": parent})
            except Reply as reply:
                raise as_status(reply, name) from None
            return self.to_object(name)

    def update(self, name: str, body: dict[str, Any]) -> Any:
        _metadata, spec = _parts(body)
        with self.s._lock:
            if name not in self.s.folders:
                raise not_found(name)
            self.s.folders[name]["title"] = str(spec.get("title") or name)
            self.s.writes += 1
            return self.to_object(name)

    def delete(self, name: str) -> Any:
        with self.s._lock:
            if self.s.folders.pop(name, None) is None:
                raise not_found(name)
            self.s.writes += 1
            return self.success(name)


def _object(body: bytes) -> dict[str, Any]:
    try:
        data = json.loads(body or b"null")
    except ValueError:
        raise status(400, "BadRequest", "the body is not valid JSON") from None
    if not isinstance(data, dict):
        raise status(400, "BadRequest", "the body must be an object")
    return data


def _parts(body: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    metadata, spec = body.get("metadata"), body.get("spec")
    if not isinstance(metadata, dict) or not isinstance(spec, dict):
        raise status(400, "BadRequest", "an object needs metadata and spec")
    return metadata, spec


def _offset(token: str) -> int:
    if not token:
        return 0
    try:
        return int(json.loads(base64.b64decode(token))["o"])
    except (ValueError, KeyError, TypeError):
        raise status(400, "BadRequest", "continue token is not valid") from None


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int((query.get(name) or [default])[0])
    except ValueError:
        return default
