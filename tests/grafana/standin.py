"""A loopback stand-in for the parts of Grafana's HTTP API that meshdash uses.

No Grafana build can be installed on the test machines, so this server implements the
documented semantics of Grafana's HTTP APIs, not its code: the legacy ``/api``
(dashboard, folder, search and health endpoints) here, and the resource API ``/apis``
over the same store in ``standin_apis``. ``mode`` picks the release: ``grafana11``
(legacy only), ``grafana12`` (``/apis`` ``v1beta1``), ``grafana13`` (``/apis`` ``v1``;
a dashboard saved as schema v2 answers 406 on the legacy GET). It is a test double
written from the docs: it never proves that real Grafana behaves the same. What it
enforces:

* auth: ``Authorization: Bearer <token>`` or basic auth; unknown credentials -> 401;
  a Viewer writing -> 403; ``X-Grafana-Org-Id`` for an unknown org -> 401.
* ``POST /api/dashboards/db``: versions start at 1 and grow by one per save; without
  ``overwrite`` a stale or missing ``dashboard.version`` for an existing uid -> 412
  ``version-mismatch``; the same title in the same folder under another uid -> 412
  ``name-exists``; a plugin's dashboard -> 412 ``plugin-dashboard``; an unknown
  ``folderUid`` -> 400 ``folder not found``. A body is applied whole under a lock, or not
  at all. Strict where Grafana's docs are: a uid over 40 characters or with characters
  other than ``[a-zA-Z0-9_-]`` -> 400; a posted ``dashboard.id`` that is not the stored
  one -> 400 (404 for a new uid); a version message over 500 characters -> 400; a
  provisioned dashboard cannot be saved or deleted (400).
* ``GET /api/search`` with ``type``, ``tag`` (all must match), ``query``, ``limit``
  (default 1000, max 5000) and ``page`` (from 1).
* ``GET/POST /api/folders`` (``parentUid`` nests), ``GET /api/folders/:uid``.
* faults, injected per request: ``503``/``429`` answers, ``reset`` (the connection is cut
  after half the body, nothing applied), ``reset-after-apply`` (applied, answer lost),
  and ``slow`` (the answer comes after ``slow_seconds``); or :meth:`chaos` for random
  5xx and resets on every request, on both APIs.

The HTTP side (request handling, auth, fault injection) is in ``standin_http``.

Use: ``with GrafanaStandIn(tokens={"t": "Admin"}) as grafana: grafana.url ...``;
``grafana.requests[("POST", "/api/dashboards/db")]`` counts requests by method and path,
``grafana.writes`` counts applied writes, ``grafana.fired[kind]`` the injected faults
that hit a request (a fault test asserts it, so it cannot pass with injection off).
"""

from __future__ import annotations

import base64
import copy
import itertools
import json
import random
import re
import threading
from collections import Counter
from collections.abc import Callable
from http.server import ThreadingHTTPServer
from typing import Any

from standin_apis import MODES, ResourceApi
from standin_http import FAULT_KINDS, Created, Fault, Handler, Reply
from standin_rules import Stored, check_save


def _slug(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


class GrafanaStandIn:
    """In-memory Grafana API on 127.0.0.1, one port per instance."""

    def __init__(
        self,
        tokens: dict[str, str] | None = None,
        users: dict[str, tuple[str, str]] | None = None,
        orgs: frozenset[int] = frozenset({1}),
        slow_seconds: float = 1.0,
        mode: str = "grafana11",
        max_page_bytes: int = 2 * 1024 * 1024,
    ) -> None:
        self.tokens = dict(tokens or {})
        self.users = dict(users or {})
        self.orgs = orgs
        self.slow_seconds = slow_seconds
        self.mode = MODES[mode]
        self.max_page_bytes = max_page_bytes
        self.drop_custom_annotations = False  # as the docs warn some instances do before GA
        self.current_rv = 1758777451428472
        self.apis = ResourceApi(self)
        self._chaos: tuple[float, float, random.Random] | None = None
        self.dashboards: dict[str, Stored] = {}
        self.folders: dict[str, dict[str, Any]] = {}
        self.requests: Counter[tuple[str, str]] = Counter()
        self.org_headers: list[str] = []
        self.writes = 0
        self.fired: Counter[str] = Counter()  # injected faults that hit a request, by kind
        self._faults: list[Fault] = []
        self._lock = threading.RLock()
        self._ids = itertools.count(1)
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    # lifecycle -------------------------------------------------------------------------
    def start(self) -> str:
        handler = type("Handler", (Handler,), {"standin": self})
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self._server.daemon_threads = True
        self._server.block_on_close = False
        self._thread = threading.Thread(
            target=self._server.serve_forever, args=(0.05,), daemon=True
        )
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def __enter__(self) -> GrafanaStandIn:
        self.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    @property
    def url(self) -> str:
        assert self._server is not None, "start() the stand-in first"
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # test helpers ----------------------------------------------------------------------
    def inject(
        self, kind: str, times: int = 1, *, method: str | None = None, path: str | None = None
    ) -> None:
        """Make the next ``times`` matching requests fail with ``kind``."""
        if kind not in FAULT_KINDS:
            raise ValueError(f"unknown fault {kind!r}; one of {sorted(FAULT_KINDS)}")
        with self._lock:
            self._faults.append(Fault(kind, times, method, path))

    def chaos(self, fail_rate: float, reset_rate: float, seed: int = 0) -> None:
        """Fail ``fail_rate`` of all requests with 503 and reset ``reset_rate`` of them.

        Half of the resets happen before a write is applied, half after (answer lost).
        """
        with self._lock:
            self._chaos = (fail_rate, reset_rate, random.Random(seed))

    def seed_folder(self, uid: str, title: str, parent_uid: str | None = None) -> None:
        with self._lock:
            self.folders[uid] = self._folder_record(uid, title, parent_uid)

    def seed_dashboard(
        self,
        dashboard: dict[str, Any],
        folder_uid: str = "",
        plugin_id: str | None = None,
        *,
        provisioned: bool = False,
    ) -> None:
        """Put a dashboard in place as if someone had created it (not counted as a write)."""
        with self._lock:
            stored = copy.deepcopy(dashboard)
            stored.update(id=next(self._ids), version=1)
            record = Stored(stored, folder_uid, plugin_id, provisioned=provisioned)
            record.resource_version = self._next_rv()
            self.dashboards[stored["uid"]] = record

    def edit_in_ui(
        self, uid: str, mutate: Callable[[dict[str, Any]], None], *, schema_v2: bool = False
    ) -> None:
        """Simulate a user saving the dashboard from the UI (tags and annotations kept,
        version + 1); ``schema_v2`` stores it as schema v2, as Grafana 13's UI does."""
        with self._lock:
            stored = self.dashboards[uid]
            mutate(stored.dashboard)
            stored.dashboard["version"] = stored.version + 1
            stored.resource_version = self._next_rv()
            stored.schema_v2 = schema_v2

    def _next_rv(self) -> int:
        self.current_rv += 1
        return self.current_rv

    def dashboard(self, uid: str) -> dict[str, Any]:
        with self._lock:
            return copy.deepcopy(self.dashboards[uid].dashboard)

    def count(self, method: str, path: str) -> int:
        return self.requests[(method, path)]

    # internals used by the handler -----------------------------------------------------
    def take_fault(self, method: str, path: str) -> str | None:
        with self._lock:
            kind = self._pick_fault(method, path)
            if kind is not None:
                self.fired[kind] += 1
            return kind

    def _pick_fault(self, method: str, path: str) -> str | None:
        with self._lock:
            if self._chaos is not None:
                fail_rate, reset_rate, rng = self._chaos
                draw = rng.random()
                if draw < fail_rate:
                    return "503"
                if draw < fail_rate + reset_rate:
                    return "reset" if rng.random() < 0.5 else "reset-after-apply"
            for fault in self._faults:
                if fault.remaining > 0 and fault.matches(method, path):
                    fault.remaining -= 1
                    return fault.kind
        return None

    def wait(self, seconds: float) -> None:
        self._stopping.wait(seconds)

    def role_for(self, authorization: str | None) -> str | None:
        if not authorization:
            return None
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() == "bearer":
            return self.tokens.get(value.strip())
        if scheme.lower() == "basic":
            try:
                user, _, password = base64.b64decode(value).decode("utf-8").partition(":")
            except (ValueError, UnicodeDecodeError):
                return None
            known = self.users.get(user)
            return known[1] if known and known[0] == password else None
        return None

    def _folder_record(self, uid: str, title: str, parent_uid: str | None) -> dict[str, Any]:
        record = {"id": next(self._ids), "uid": uid, "title": title, "version": 1}
        record["url"] = f"/dashboards/f/{uid}/{_slug(title)}"
        if parent_uid:
            record["parentUid"] = parent_uid
        return record

    # routes ----------------------------------------------------------------------------
    def route(self, method: str, path: str, query: dict[str, list[str]], body: bytes) -> Any:
        if path == "/apis" or path.startswith("/apis/"):
            return self.apis.route(method, path, query, body)
        if method == "GET" and path == "/api/search":
            return self.search(query)
        if method == "GET" and path == "/api/folders":
            return self.list_folders(query)
        if method == "POST" and path == "/api/folders":
            return self.create_folder(_json(body))
        if method == "GET" and path.startswith("/api/folders/"):
            return self.get_folder(path.removeprefix("/api/folders/"))
        if method == "POST" and path == "/api/dashboards/db":
            return self.save_dashboard(_json(body))
        if path.startswith("/api/dashboards/uid/"):
            uid = path.removeprefix("/api/dashboards/uid/")
            if method == "GET":
                return self.get_dashboard(uid)
            if method == "DELETE":
                return self.delete_dashboard(uid)
        raise Reply(404, {"message": "Not found"})

    def get_dashboard(self, uid: str) -> Any:
        with self._lock:
            stored = self.dashboards.get(uid)
            if stored is None:
                raise Reply(404, {"message": "Dashboard not found"})
            if stored.schema_v2 and self.mode.legacy_406_for_v2:
                raise Reply(
                    406,
                    {
                        "message": "dashboard api version not supported, use /apis/dashboard."
                        f"grafana.app/v2/namespaces/default/dashboards/{uid} instead"
                    },
                )
            folder = self.folders.get(stored.folder_uid, {})
            meta = {
                "folderUid": stored.folder_uid,
                "folderTitle": folder.get("title", "General"),
                "url": f"/d/{uid}/{_slug(stored.dashboard.get('title', ''))}",
                "version": stored.version,
                "provisioned": stored.provisioned,
            }
            return {"dashboard": copy.deepcopy(stored.dashboard), "meta": meta}

    def save_dashboard(self, body: Any) -> Any:
        dash = body.get("dashboard") if isinstance(body, dict) else None
        if not isinstance(dash, dict) or not str(dash.get("title", "")).strip():
            raise Reply(400, {"message": "Dashboard title cannot be empty"})
        folder_uid = body.get("folderUid") or ""
        overwrite = bool(body.get("overwrite"))
        with self._lock:
            if folder_uid and folder_uid not in self.folders:
                raise Reply(400, {"message": "folder not found"})
            uid = str(dash.get("uid") or f"gen{next(self._ids)}")
            existing = self.dashboards.get(uid)
            message = str(body.get("message", ""))
            check_save(self, uid, dash, folder_uid, existing, message, overwrite=overwrite)
            stored = self.put(uid, copy.deepcopy(dash), folder_uid, existing, message)
            url = f"/d/{uid}/{_slug(stored['title'])}"
            return {
                "id": stored["id"],
                "uid": uid,
                "url": url,
                "status": "success",
                "version": stored["version"],
                "slug": _slug(stored["title"]),
            }

    def put(
        self,
        uid: str,
        dash: dict[str, Any],
        folder_uid: str,
        existing: Stored | None,
        message: str,
        *,
        annotations: dict[str, str] | None = None,
    ) -> dict[str, Any]:
        """Store ``dash`` as the next version of ``uid`` (checked already); one write."""
        dash["uid"] = uid
        dash["id"] = existing.dashboard["id"] if existing else next(self._ids)
        dash["version"] = existing.version + 1 if existing else 1
        kept = existing.annotations if existing and annotations is None else annotations
        record = Stored(
            dash,
            folder_uid,
            messages=[*(existing.messages if existing else []), message],
            resource_version=self._next_rv(),
            annotations=dict(kept or {}),
        )
        self.dashboards[uid] = record
        self.writes += 1
        return dash

    def remove(self, uid: str) -> Stored:
        stored = self.dashboards[uid]
        if stored.provisioned:
            raise Reply(400, {"message": "provisioned dashboard cannot be deleted"})
        del self.dashboards[uid]
        self.writes += 1
        return stored

    def created(self, body: Any) -> Created:
        return Created(body)

    def delete_dashboard(self, uid: str) -> Any:
        with self._lock:
            if uid not in self.dashboards:
                raise Reply(404, {"message": "Dashboard not found"})
            stored = self.remove(uid)
            title = stored.dashboard["title"]
            return {
                "title": title,
                "message": f"Dashboard {title} deleted",
                "id": stored.dashboard["id"],
            }

    def search(self, query: dict[str, list[str]]) -> Any:
        limit = min(_int(query, "limit", 1000), 5000)
        page = max(_int(query, "page", 1), 1)
        kinds = set(query.get("type", [])) or {"dash-db", "dash-folder"}
        tags = set(query.get("tag", []))
        text = (query.get("query") or [""])[0].lower()
        with self._lock:
            hits: list[dict[str, Any]] = []
            if "dash-db" in kinds:
                for uid, stored in self.dashboards.items():
                    dash_tags = stored.dashboard.get("tags") or []
                    if tags <= set(dash_tags) and text in stored.dashboard["title"].lower():
                        hits.append(
                            {
                                "id": stored.dashboard["id"],
                                "uid": uid,
                                "title": stored.dashboard["title"],
                                "type": "dash-db",
                                "tags": list(dash_tags),
                                "folderUid": stored.folder_uid,
                                "url": f"/d/{uid}",
                            }
                        )
            if "dash-folder" in kinds and not tags:
                hits.extend(
                    {
                        "id": f["id"],
                        "uid": f["uid"],
                        "title": f["title"],
                        "type": "dash-folder",
                        "tags": [],
                        "url": f["url"],
                    }
                    for f in self.folders.values()
                    if text in f["title"].lower()
                )
        hits.sort(key=lambda hit: (hit["title"].lower(), hit["uid"]))
        return hits[(page - 1) * limit : page * limit]

    def list_folders(self, query: dict[str, list[str]]) -> Any:
        parent = (query.get("parentUid") or [None])[0]
        limit, page = _int(query, "limit", 1000), max(_int(query, "page", 1), 1)
        with self._lock:
            rows = [
                {"id": f["id"], "uid": f["uid"], "title": f["title"]}
                for f in self.folders.values()
                if f.get("parentUid") == parent
            ]
        return rows[(page - 1) * limit : page * limit]

    def get_folder(self, uid: str) -> Any:
        with self._lock:
            folder = self.folders.get(uid)
            if folder is None:
                raise Reply(404, {"message": "folder not found"})
            return copy.deepcopy(folder)

    def create_folder(self, body: Any) -> Any:
        if not isinstance(body, dict) or not str(body.get("title", "")).strip():
            raise Reply(400, {"message": "folder title cannot be empty"})
        uid = str(body.get("uid") or f"gen{next(self._ids)}")
        parent = body.get("parentUid") or None
        with self._lock:
            if parent and parent not in self.folders:
                raise Reply(400, {"message": "folder not found"})
            if uid in self.folders:
                raise Reply(409, {"message": "a folder with the same uid already exists"})
            for folder in self.folders.values():
                same_parent = folder.get("parentUid") == parent
                if same_parent and folder["title"].lower() == str(body["title"]).lower():
                    raise Reply(409, {"message": "a folder with the same name already exists"})
            self.folders[uid] = self._folder_record(uid, str(body["title"]), parent)
            self.folders[uid]["resourceVersion"] = self._next_rv()
            self.writes += 1
            return copy.deepcopy(self.folders[uid])


def _json(body: bytes) -> Any:
    try:
        return json.loads(body or b"null")
    except ValueError:
        raise Reply(400, {"message": "bad request data"}) from None


def _int(query: dict[str, list[str]], name: str, default: int) -> int:
    try:
        return int((query.get(name) or [default])[0])
    except ValueError:
        return default
