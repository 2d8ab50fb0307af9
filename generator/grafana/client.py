"""A small client for the parts of Grafana's HTTP API that publishing needs (Grafana 10-12).

Endpoints: ``GET /api/health``, ``GET/POST /api/folders``, ``GET /api/folders/:uid``,
``POST /api/dashboards/db``, ``GET/DELETE /api/dashboards/uid/:uid`` and the paged
``GET /api/search``.

The session comes from :mod:`generator.http`. Every request carries a (connect, read)
timeout. Requests go out through the transport seam (``send``), which a test may replace,
wrapped in :func:`generator.http.retrying` with the settings' policy
(:data:`~generator.grafana.settings.GRAFANA_RETRY`): no answer (refused, reset, timed out),
429 (its ``Retry-After`` honoured up to a cap) and 5xx are retried with exponential backoff
and jitter, so a test through the seam sees every attempt. Low-level errors become
:mod:`generator.errors` classes at one boundary, :meth:`GrafanaClient._send`; their
messages are built from the method, the URL (which never carries credentials, see
``settings``) and the status, never from headers or the text of a requests exception. A
message names the setting it is about (``setting="url"``), never a flag: the client is a
library too, and the command adds its flag.
"""

from __future__ import annotations

import logging
import ssl
import time
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import requests
import urllib3
from requests.auth import AuthBase

from generator import http
from generator.errors import (
    GrafanaAuthError,
    GrafanaConflict,
    GrafanaError,
    GrafanaNotFound,
    GrafanaUnreachable,
)
from generator.grafana import state
from generator.grafana.settings import Credentials, GrafanaSettings

log = logging.getLogger(__name__)

SEARCH_PAGE_SIZE = 1000
WHOLE_RUN_ROUNDS = 3


@dataclass(frozen=True)
class RemoteDashboard:
    """A dashboard as Grafana holds it: its JSON, folder and version, through either API.

    ``version`` is the legacy ``version`` (= the resource API's ``generation``);
    ``resource_version`` and ``recorded_hash`` (meshdash's provenance annotation) come
    from the resource API only; ``schema_v2`` marks a dashboard stored as schema v2
    (saved from Grafana 13's UI), whose classic JSON cannot be compared with a build.
    """

    uid: str
    dashboard: dict[str, Any]
    folder_uid: str
    version: int
    url: str
    provisioned: bool = False
    resource_version: str = ""
    recorded_hash: str | None = None
    schema_v2: bool = False

    @cached_property
    def fingerprint(self) -> str:
        """The content hash of what Grafana holds, computed once."""
        return state.fingerprint(self.dashboard)

    @property
    def managed(self) -> bool:
        """Written by meshdash: its provenance annotation, or the managed tag."""
        return self.recorded_hash is not None or state.is_managed(self.dashboard)


def _auth(credentials: Credentials) -> AuthBase:
    if credentials.token is not None:
        return http.BearerAuth(credentials.token)
    return http.basic_auth(credentials.user or "", credentials.password)


def new_session(settings: GrafanaSettings, pool_size: int = 10) -> requests.Session:
    """The pinned session for Grafana; an explicit CA bundle or insecure wins over env."""
    headers = {} if settings.org_id is None else {"X-Grafana-Org-Id": str(settings.org_id)}
    return http.new_session(
        settings.url,
        auth=_auth(settings.credentials),
        verify=str(settings.ca_cert) if settings.ca_cert else not settings.insecure,
        pool_size=pool_size,
        headers=headers,
    )


class GrafanaClient:
    """Typed calls to Grafana; every failure is a :class:`GrafanaError`.

    ``send`` replaces the transport (see :data:`generator.http.Send`), for tests.
    """

    def __init__(
        self, settings: GrafanaSettings, pool_size: int = 10, *, send: http.Send | None = None
    ) -> None:
        self.settings = settings
        self._session = new_session(settings, pool_size)
        self._transport = http.retrying(send or http.session_send(self._session), settings.retry)

    def __enter__(self) -> GrafanaClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"GrafanaClient({self.settings.url!r})"

    def close(self) -> None:
        self._session.close()

    def dashboard_url(self, uid: str) -> str:
        return f"{self.settings.url}/d/{uid}"

    def health(self) -> dict[str, Any]:
        return self.read_whole_run("/api/health", what="the health check").json()

    def get_dashboard(self, uid: str) -> RemoteDashboard | None:
        """The dashboard with this uid, or None when Grafana has none.

        Grafana 13 answers 406 for a dashboard stored as schema v2: it is returned with
        ``schema_v2`` set and no content (the legacy API cannot show it).
        """
        try:
            body = self._send(
                "GET", f"/api/dashboards/uid/{uid}", what=f"dashboard {uid!r}", allow=(406,)
            )
        except GrafanaNotFound:
            return None
        if body.status_code == 406:
            return RemoteDashboard(uid, {}, "", 0, self.dashboard_url(uid), schema_v2=True)
        data = body.json()
        dashboard, meta = data.get("dashboard", {}), data.get("meta", {})
        return RemoteDashboard(
            uid=uid,
            dashboard=dashboard,
            folder_uid=meta.get("folderUid") or "",
            version=int(dashboard.get("version") or 0),
            url=self.settings.url + (meta.get("url") or f"/d/{uid}"),
            provisioned=bool(meta.get("provisioned")),
        )

    def save_dashboard(
        self, dashboard: dict[str, Any], *, folder_uid: str, message: str, overwrite: bool = False
    ) -> dict[str, Any]:
        """POST /api/dashboards/db; ``dashboard['version']`` guards it unless ``overwrite``
        (only to force over a schema-v2 dashboard, whose version the legacy API hides)."""
        body = {
            "dashboard": dashboard,
            "folderUid": folder_uid,
            "overwrite": overwrite,
            "message": message,
        }
        uid = dashboard.get("uid", "?")
        return self._send("POST", "/api/dashboards/db", json=body, what=f"dashboard {uid!r}").json()

    def delete_dashboard(self, uid: str) -> bool:
        """Delete; False when it was already gone (also after a replayed DELETE)."""
        try:
            self._send("DELETE", f"/api/dashboards/uid/{uid}", what=f"dashboard {uid!r}")
        except GrafanaNotFound:
            return False
        return True

    def search(
        self, *, tag: str | None = None, kind: str = "dash-db", page_size: int = SEARCH_PAGE_SIZE
    ) -> list[dict[str, Any]]:
        """All hits of ``GET /api/search``, following ``page`` until a short page."""
        hits: list[dict[str, Any]] = []
        page = 1
        while True:
            params: dict[str, Any] = {"type": kind, "limit": page_size, "page": page}
            if tag:
                params["tag"] = tag
            batch = self.read_whole_run("/api/search", params=params, what="the search").json()
            hits.extend(batch)
            if len(batch) < page_size:
                return hits
            page += 1

    def get_folder(self, uid: str) -> dict[str, Any] | None:
        try:
            return self._send("GET", f"/api/folders/{uid}", what=f"folder {uid!r}").json()
        except GrafanaNotFound:
            return None

    def create_folder(self, uid: str, title: str, parent_uid: str | None) -> dict[str, Any]:
        body: dict[str, Any] = {"uid": uid, "title": title}
        if parent_uid:
            body["parentUid"] = parent_uid
        return self._send("POST", "/api/folders", json=body, what=f"folder {title!r}").json()

    def read_whole_run(self, path: str, *, what: str, **kwargs: Any) -> requests.Response:
        """A GET the whole run depends on (discovery, health, list and search pages).

        One dashboard's failed read only fails that dashboard, but these would stop every
        dashboard, so they get up to :data:`WHOLE_RUN_ROUNDS` rounds of the client's
        retries, unless the answer is definite (401/403/404) or nobody answers at all.
        """
        for round_left in range(WHOLE_RUN_ROUNDS - 1, -1, -1):
            try:
                return self._send("GET", path, what=what, **kwargs)
            except (GrafanaAuthError, GrafanaNotFound, GrafanaUnreachable):
                raise
            except GrafanaError:
                if not round_left:
                    raise
                log.debug("GET %s failed after retries; %d more round(s)", path, round_left)
        raise AssertionError("unreachable")  # the loop returns or raises

    def send(
        self, method: str, path: str, *, what: str, allow: tuple[int, ...] = (), **kwargs: Any
    ) -> requests.Response:
        """One request; an error status (other than ``allow``) raises a GrafanaError."""
        return self._send(method, path, what=what, allow=allow, **kwargs)

    def _send(
        self, method: str, path: str, *, what: str, allow: tuple[int, ...] = (), **kwargs: Any
    ) -> requests.Response:
        url = self.settings.url + path
        started = time.monotonic()
        try:
            prepared = self._session.prepare_request(requests.Request(method, url, **kwargs))
            response = self._transport(prepared, self.settings.timeout)
        except requests.RequestException as exc:
            raise self._unreachable(exc, method, url) from None
        log.debug(
            "%s %s -> %s in %.2fs", method, path, response.status_code, time.monotonic() - started
        )
        if response.status_code >= 400 and response.status_code not in allow:
            raise error_for(response, method=method, url=url, what=what)
        return response

    def _tls_failure(self, exc: requests.RequestException, url: str) -> GrafanaError:
        causes = _ssl_errors(exc)
        if any(getattr(cause, "reason", None) in _NOT_TLS_REASONS for cause in causes):
            return GrafanaUnreachable(
                f"the server at {self.settings.url} does not speak TLS (plain HTTP?): use "
                "http:// in GRAFANA_URL",
                setting="url",
            )
        if self.settings.insecure or not any(
            isinstance(cause, ssl.SSLCertVerificationError) for cause in causes
        ):
            return GrafanaUnreachable(
                f"the TLS handshake with {url} failed ({_ssl_reason(causes)}); check that the "
                "URL's port serves HTTPS"
            )
        return GrafanaUnreachable(
            f"TLS verification failed for {url}: give your private CA bundle, or skip "
            "verification for a throwaway test instance",
            setting="tls",
        )

    def _unreachable(self, exc: requests.RequestException, method: str, url: str) -> GrafanaError:
        retries = self.settings.retry.retries
        tries = f"after {retries} retries" if retries else "without retries"
        if isinstance(exc, requests.exceptions.SSLError):
            return self._tls_failure(exc, url)
        cause = getattr(exc.args[0], "reason", None) if exc.args else None
        if isinstance(exc, requests.exceptions.ReadTimeout) or isinstance(
            cause, urllib3.exceptions.ReadTimeoutError
        ):
            return GrafanaUnreachable(
                f"Grafana did not answer {method} {url} within {self.settings.read_timeout:g}s "
                f"({tries}); check the server or raise the timeout",
                setting="timeout",
            )
        refused = isinstance(cause, urllib3.exceptions.NewConnectionError)  # a ConnectTimeout
        if not refused and (
            isinstance(exc, requests.exceptions.ConnectTimeout)
            or isinstance(cause, urllib3.exceptions.ConnectTimeoutError)
        ):
            return GrafanaUnreachable(
                f"could not connect to {self.settings.url} within "
                f"{self.settings.connect_timeout:g}s ({tries}); check GRAFANA_URL and the network",
                setting="url",
            )
        if isinstance(exc, requests.exceptions.ConnectionError):
            return GrafanaUnreachable(
                f"cannot reach Grafana for {method} {url} ({_reason(exc)}, {tries}); "
                "check GRAFANA_URL and that Grafana is running",
                setting="url",
            )
        return GrafanaError(f"{method} {url} failed ({type(exc).__name__}, {tries})")


# OpenSSL's reasons when the peer answers a ClientHello with something that is not TLS
# (a plain-HTTP server answers "HTTP/1.1 400 ..."): no CA bundle or skipped check can help.
_NOT_TLS_REASONS = frozenset(
    {"WRONG_VERSION_NUMBER", "RECORD_LAYER_FAILURE", "HTTP_REQUEST", "PACKET_LENGTH_TOO_LONG"}
)


def _ssl_errors(exc: BaseException) -> list[ssl.SSLError]:
    """Every ``ssl.SSLError`` in the chain requests and urllib3 wrap around the real one."""
    found: list[ssl.SSLError] = []
    pending: list[object] = [exc]
    seen: set[int] = set()
    while pending:
        item = pending.pop()
        if not isinstance(item, BaseException) or id(item) in seen:
            continue
        seen.add(id(item))
        if isinstance(item, ssl.SSLError):
            found.append(item)
        pending.extend([*item.args, getattr(item, "reason", None), item.__cause__])
        pending.append(item.__context__)
    return found


def _reason(exc: BaseException) -> str:
    """A short cause for a connection failure, from the exception type chain only."""
    text = repr(exc).lower()
    for needle, reason in (
        ("refused", "connection refused"),
        ("reset", "connection reset"),
        ("name or service", "host name does not resolve"),
        ("nodename", "host name does not resolve"),
        ("remotedisconnected", "connection closed without an answer"),
        ("aborted", "connection aborted"),
    ):
        if needle in text:
            return reason
    return "connection failed"


def _ssl_reason(causes: list[ssl.SSLError]) -> str:
    reasons = [str(cause.reason) for cause in causes if getattr(cause, "reason", None)]
    return reasons[0].lower().replace("_", " ") if reasons else "no reason given"


def _grafana_message(response: requests.Response) -> tuple[str, str]:
    """Grafana's ``message`` and ``status`` fields, if the body is JSON.

    A Kubernetes ``Status`` (the resource API) gives its ``reason`` instead of ``status``
    (which there is just ``Failure``). A 404 of an unserved ``/apis`` path is plain text.
    """
    try:
        body = response.json()
    except ValueError:
        return "", ""
    if not isinstance(body, dict):
        return "", ""
    status = body.get("reason") if body.get("kind") == "Status" else body.get("status")
    return " ".join(str(body.get("message", "")).split())[:200], str(status or "")


def _detail(message: str) -> str:
    return f" {message}" if message else ""


_CONFLICT_HINTS = {
    "version-mismatch": "it was changed in Grafana since meshdash read it; rerun `meshdash "
    "push` to plan against the new version",
    "name-exists": "another dashboard with the same title already exists in that folder (or "
    "the same uid elsewhere); rename one of them",
    "plugin-dashboard": "it belongs to a Grafana plugin and cannot be overwritten; give the "
    "meshdash dashboard another uid",
}


def error_for(response: requests.Response, *, method: str, url: str, what: str) -> GrafanaError:
    """Turn an HTTP error status into the right GrafanaError, naming ``what`` and the URL."""
    code = response.status_code
    message, status = _grafana_message(response)
    where = f"{method} {url}"
    if code == 401:
        return GrafanaAuthError(
            f"Grafana rejected the credentials for {what} ({where}: 401); check GRAFANA_TOKEN "
            "or the token file, or GRAFANA_USER/GRAFANA_PASSWORD, and that it is not expired",
            setting="token_file",
        )
    if code == 403:
        doing = "reading" if method == "GET" else "writing"
        return GrafanaAuthError(
            f"Grafana denied {doing} {what} ({where}: 403{_detail(message)}): the token's "
            "role is too weak; give its service account the Editor role in this org "
            "(Viewer may only read)"
        )
    if code == 404:
        return GrafanaNotFound(f"{what} not found in Grafana ({where}: 404)")
    if code == 412:
        hint = _CONFLICT_HINTS.get(status, message or "Grafana refused the write")
        return GrafanaConflict(f"Grafana refused {what} ({where}: 412 {status}): {hint}")
    if code == 400 and "folder not found" in message.lower():
        return GrafanaNotFound(
            f"the folder for {what} does not exist in Grafana ({where}: 400 folder not found); "
            "rerun `meshdash push` to recreate it"
        )
    if code == 409:
        said = f" {status}: {message}" if status or message else ""
        return GrafanaConflict(f"Grafana refused {what} ({where}: 409{said})")
    detail = f" {status}" if status and status != "Failure" else ""
    detail += f": {message}" if message else ""
    if code >= 500 or code == 429:
        return GrafanaError(
            f"Grafana kept failing {what} ({where}: {code}{detail}) after retries; "
            "check the server and retry later"
        )
    return GrafanaError(f"Grafana refused {what} ({where}: {code}{detail})")
