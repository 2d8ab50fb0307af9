"""A small client for the Prometheus HTTP API (Prometheus, Thanos, Mimir, VictoriaMetrics...).

One pooled ``requests.Session`` serves every thread (the adapter's pool is
sized to the parallelism, so each worker keeps its keep-alive connection);
every request carries a (connect, read) timeout. What ``Session.get`` would
redo per request is done once: the environment's proxies, CA bundle and
``.netrc`` for this one URL are read at construction, and the headers (auth
included) are prepared once and copied; a request is then its encoded URL.

Queries (``/query``, ``/query_range``) are POSTed as a form, as Grafana's
Prometheus data source does by default: a long PromQL expression in the
URL costs urllib3 a per-character Python loop, in a form body nothing.
A server that answers 405 to POST (a GET-only proxy) gets GET from then on.
Errors are translated at one boundary, :meth:`PrometheusClient._get`:

- no answer at all -> :class:`PrometheusUnreachable`, naming the URL;
- an answer that is not the Prometheus API's (HTML, Grafana's JSON errors,
  even under 401) -> :class:`NotPrometheusError`, before credentials are blamed;
- 401/403 -> :class:`PrometheusAuthError`;
- any other refusal (bad query, 5xx) -> :class:`PrometheusError` with
  Prometheus's own error text, which a caller may report per query.

Both methods are repeated under :data:`RETRY` (no answer, or 502/503/504; never a
4xx): the POST carries only a read-only query, so sending it twice is safe.

Messages are built from the URL (scrubbed by :func:`generator.http.scrub_url`)
and the status, never from headers or the credentials; they name no flag, but
carry the ``setting`` they are about for a command to name its flag. The session comes from :mod:`generator.http`,
and every request goes out through its transport seam (``send``), which a test
may replace to run the client without a socket.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

import requests
from requests.auth import AuthBase

from generator import http
from generator.errors import (
    NotPrometheusError,
    PrometheusAuthError,
    PrometheusError,
    PrometheusUnreachable,
)

Json = dict[str, Any]

#: The bounded retry of every Prometheus request (:func:`generator.http.retrying`).
RETRY = http.RetryPolicy(methods=frozenset({"GET", "POST"}))


@dataclass(frozen=True)
class Connection:
    """Where Prometheus is and how to talk to it. ``repr`` hides every secret."""

    url: str
    token: http.Secret | None = field(default=None, repr=False)
    user: str | None = None
    password: http.Secret | None = field(default=None, repr=False)
    headers: tuple[tuple[str, str], ...] = field(default=(), repr=False)
    timeout: float = 30.0
    connect_timeout: float = 5.0
    parallel: int = 8
    retry: http.RetryPolicy = RETRY

    @property
    def display_url(self) -> str:
        """The URL without user info, safe to print."""
        return http.scrub_url(self.url)

    def auth(self) -> AuthBase | None:
        if self.token:
            return http.BearerAuth(self.token)
        if self.user is not None:
            return http.basic_auth(self.user, self.password)
        return None


@dataclass(frozen=True)
class Series:
    """One result series: its labels and its (time, value) points."""

    labels: dict[str, str]
    points: tuple[tuple[float, float], ...]


class PrometheusClient:
    """Typed calls to ``/api/v1``; safe to share between threads.

    ``send`` replaces the transport (see :data:`generator.http.Send`), for tests.
    """

    def __init__(self, connection: Connection, *, send: http.Send | None = None) -> None:
        self.connection = connection
        self.base = connection.url.rstrip("/")
        self.requests_sent = 0
        self._lock = threading.Lock()
        self._shown = connection.display_url
        self._timeout = (connection.connect_timeout, connection.timeout)
        session = self._session = http.new_session(
            self.base,
            auth=connection.auth(),
            pool_size=connection.parallel,
            headers=dict(connection.headers),
        )
        self._transport = http.retrying(send or http.session_send(session), connection.retry)
        self._template = session.prepare_request(requests.Request("GET", self.base))
        self._post = True

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"PrometheusClient({self.connection.display_url!r})"

    def close(self) -> None:
        self._session.close()

    def check(self) -> None:
        """One cheap query: raises Unreachable/AuthError once, before any real work."""
        self.instant("vector(1)", at=None)

    def instant(self, expr: str, *, at: float | None) -> list[Series]:
        """``/api/v1/query``: the result as series (a scalar becomes one label-less series)."""
        params: Json = {"query": expr}
        if at is not None:
            params["time"] = _fmt_time(at)
        return _to_series(self._query("/api/v1/query", params))

    def range(self, expr: str, *, start: float, end: float, step: float) -> list[Series]:
        """``/api/v1/query_range``."""
        params = {
            "query": expr,
            "start": _fmt_time(start),
            "end": _fmt_time(end),
            "step": f"{step:g}",
        }
        return _to_series(self._query("/api/v1/query_range", params))

    def series(self, match: str, *, start: float, end: float) -> list[dict[str, str]]:
        """``/api/v1/series``: label sets of the series matching a selector."""
        params = {"match[]": match, "start": _fmt_time(start), "end": _fmt_time(end)}
        return list(self._get("/api/v1/series", params))

    def label_names(self, *, start: float, end: float) -> list[str]:
        """``/api/v1/labels``."""
        params = {"start": _fmt_time(start), "end": _fmt_time(end)}
        return [str(v) for v in self._get("/api/v1/labels", params)]

    def label_values(
        self, label: str, *, start: float, end: float, match: str | None = None
    ) -> list[str]:
        """``/api/v1/label/<label>/values``, optionally limited to a selector's series."""
        params: Json = {"start": _fmt_time(start), "end": _fmt_time(end)}
        if match:
            params["match[]"] = match
        return [str(v) for v in self._get(f"/api/v1/label/{label}/values", params)]

    def _query(self, path: str, params: Json) -> Any:
        """POST a query endpoint, or GET it once the server has refused POST."""
        if self._post:
            answer = self._send(path, params, post=True)
            if answer.status_code != 405:
                return _payload(answer, self._shown, path)
            self._post = False
        return self._get(path, params)

    def _get(self, path: str, params: Json) -> Any:
        return _payload(self._send(path, params, post=False), self._shown, path)

    def _send(self, path: str, params: Json, *, post: bool) -> requests.Response:
        """One request from the prepared template; no answer becomes PrometheusUnreachable."""
        shown = self._shown
        request = self._template.copy()
        if post:
            request.method, request.url = "POST", self.base + path
            request.body = urlencode(params)
            request.headers["Content-Type"] = "application/x-www-form-urlencoded"
            request.headers["Content-Length"] = str(len(request.body))
        else:
            request.url = f"{self.base}{path}?{urlencode(params)}"
        with self._lock:
            self.requests_sent += 1
        try:
            return self._transport(request, self._timeout)
        except requests.Timeout:
            raise PrometheusUnreachable(
                f"Prometheus at {shown} did not answer within {self.connection.timeout:g}s; "
                "check that it is up and not overloaded, or raise the timeout",
                setting="timeout",
            ) from None
        except requests.RequestException:
            raise PrometheusUnreachable(
                f"cannot connect to Prometheus at {shown}; check the URL, that Prometheus "
                "is running, and that this machine can reach it",
                setting="prometheus_url",
            ) from None


def _payload(answer: requests.Response, shown: str, path: str) -> Any:
    status = answer.status_code
    foreign = _foreign_answer(answer)
    if foreign:
        raise NotPrometheusError(
            f"{shown} does not answer like a Prometheus API ({path} got HTTP {status} "
            f"with {foreign}); give the Prometheus API root instead, e.g. http://host:9090",
            setting="prometheus_url",
        )
    if status in (401, 403):
        what = "the credentials" if status == 401 else "access"
        raise PrometheusAuthError(
            f"Prometheus at {shown} refused {what} (HTTP {status}); check PROMETHEUS_TOKEN, "
            "the token file, PROMETHEUS_USER/PROMETHEUS_PASSWORD and tenant headers",
            setting="credentials",
        )
    try:
        body = answer.json()
    except ValueError:
        body = None
    if not isinstance(body, dict) or "status" not in body:
        raise PrometheusError(
            f"{shown}{path} answered HTTP {status} without a Prometheus API body; "
            "check that the URL points at the Prometheus API root"
        )
    if body["status"] != "success":
        kind = body.get("errorType", "error")
        raise PrometheusError(f"{kind}: {body.get('error', f'HTTP {status}')}")
    return body.get("data")


def _foreign_answer(answer: requests.Response) -> str | None:
    """What gives an answer away as not Prometheus's: HTML, or Grafana's JSON error shape.

    A 401 that challenges (``WWW-Authenticate``) is an auth gate in front of
    the API, Prometheus's own or a proxy's, so it is left to the credentials check.
    """
    if answer.status_code == 401 and "WWW-Authenticate" in answer.headers:
        return None
    content_type = answer.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type in ("text/html", "application/xhtml+xml"):
        return f"HTML (content-type {content_type})"
    if content_type.endswith("json"):
        try:
            body = answer.json()
        except ValueError:
            return None
        if isinstance(body, dict) and "status" not in body and "message" in body:
            return 'a Grafana-style JSON error ({"message": ...})'
    return None


def _to_series(data: Json) -> list[Series]:
    kind, result = data.get("resultType"), data.get("result")
    if kind == "scalar":
        return [Series({}, ((float(result[0]), _value(result[1])),))]
    if kind == "vector":
        return [
            Series(dict(item["metric"]), ((float(item["value"][0]), _value(item["value"][1])),))
            for item in result
        ]
    if kind == "matrix":
        return [
            Series(dict(item["metric"]), tuple((float(t), _value(v)) for t, v in item["values"]))
            for item in result
        ]
    return []


def _value(text: str) -> float:
    return float(text)  # Prometheus sends "NaN", "+Inf", "-Inf" as Python reads them


def _fmt_time(seconds: float) -> str:
    return f"{seconds:.3f}"
