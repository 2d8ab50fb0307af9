"""The client's wire behaviour: what each request carries, and keep-alive under --parallel."""

from __future__ import annotations

import json
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs

import pytest
import requests

from generator.http import Secret
from generator.validate import Connection, PrometheusClient
from tests.validate.conftest import loopback_server

ACCEPTED = 'net_conntrack_listener_conn_accepted_total{listener_name="http"}'


class _Recorder(BaseHTTPRequestHandler):
    """Answers with an empty Prometheus vector (POST with 405 if told) and keeps what it was sent."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, str, str, dict[str, str]]] = []
    refuse_post = False

    def do_POST(self) -> None:
        form = self.rfile.read(int(self.headers["Content-Length"])).decode()
        self.seen.append(("POST", self.path, form, dict(self.headers.items())))
        if self.refuse_post:
            self.send_response(405)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self._answer()

    def do_GET(self) -> None:
        path, _, query = self.path.partition("?")
        self.seen.append(("GET", path, query, dict(self.headers.items())))
        self._answer()

    def _answer(self) -> None:
        body = json.dumps({"status": "success", "data": {"resultType": "vector", "result": []}})
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body.encode())

    def log_message(self, *_args: Any) -> None:
        pass


@pytest.fixture
def recorder() -> Iterator[str]:
    _Recorder.seen = []
    _Recorder.refuse_post = False
    with loopback_server(_Recorder) as url:
        yield url


QUERY = 'sum(rate(x{a=~"b|c", d!="e f"}[1m])) + 1'
FORM = {"query": [QUERY], "start": ["10.000"], "end": ["70.000"], "step": ["60"]}


def test_queries_are_posted_with_auth_headers_and_the_exact_form(recorder: str) -> None:
    connection = Connection(recorder, token=Secret("tok-7"), headers=(("X-Scope-OrgID", "team-a"),))
    with PrometheusClient(connection) as client:
        for _ in range(2):
            client.range(QUERY, start=10, end=70, step=60)
        client.label_values("job", start=10, end=70)
    assert [(m, p) for m, p, _, _ in _Recorder.seen] == [
        ("POST", "/api/v1/query_range"),
        ("POST", "/api/v1/query_range"),
        ("GET", "/api/v1/label/job/values"),  # this endpoint takes GET only
    ]
    for _, _, form, headers in _Recorder.seen[:2]:
        assert parse_qs(form) == FORM
        assert headers["Content-Type"] == "application/x-www-form-urlencoded"
    for *_, headers in _Recorder.seen:
        assert headers["Authorization"] == "Bearer tok-7"
        assert headers["X-Scope-OrgID"] == "team-a"
        assert headers["Accept"] == "application/json"


def test_a_server_refusing_post_gets_get_from_then_on(recorder: str) -> None:
    _Recorder.refuse_post = True
    with PrometheusClient(Connection(recorder)) as client:
        assert client.range(QUERY, start=10, end=70, step=60) == []
        assert client.range(QUERY, start=10, end=70, step=60) == []
    assert [m for m, *_ in _Recorder.seen] == ["POST", "GET", "GET"]
    assert parse_qs(_Recorder.seen[-1][2]) == FORM


def _accepted(url: str) -> float:
    for line in requests.get(f"{url}/metrics", timeout=10).text.splitlines():
        if line.startswith(ACCEPTED):
            return float(line.split()[-1])
    raise AssertionError(f"{ACCEPTED} not in {url}/metrics")


@pytest.mark.parametrize("parallel", [1, 4])
def test_parallel_queries_reuse_at_most_parallel_connections(backfill: Any, parallel: int) -> None:
    before = _accepted(backfill.url)
    with (
        PrometheusClient(Connection(backfill.url, parallel=parallel)) as client,
        ThreadPoolExecutor(max_workers=parallel) as pool,
    ):
        answers = list(pool.map(lambda i: client.instant(f"vector({i})", at=None), range(60)))
    assert [a[0].points[0][1] for a in answers] == list(range(60))
    opened = _accepted(backfill.url) - before - 1  # less the /metrics request's own connection
    assert 1 <= opened <= parallel
