"""The client's wire behaviour: what each request carries, and keep-alive under --parallel."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from generator.validate import Connection, PrometheusClient

ACCEPTED = 'net_conntrack_listener_conn_accepted_total{listener_name="http"}'


class _Recorder(BaseHTTPRequestHandler):
    """Answers every GET with an empty Prometheus vector and keeps what it was sent."""

    protocol_version = "HTTP/1.1"
    seen: list[tuple[str, dict[str, str]]] = []

    def do_GET(self) -> None:
        self.seen.append((self.path, dict(self.headers.items())))
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
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Recorder)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def test_every_request_carries_auth_headers_and_the_exact_query(recorder: str) -> None:
    connection = Connection(recorder, token="tok-7", headers=(("X-Scope-OrgID", "team-a"),))
    expr = 'sum(rate(x{a=~"b|c", d!="e f"}[1m])) + 1'
    with PrometheusClient(connection) as client:
        for _ in range(2):
            client.range(expr, start=10, end=70, step=60)
    assert len(_Recorder.seen) == 2
    for path, headers in _Recorder.seen:
        url = urlsplit(path)
        assert url.path == "/api/v1/query_range"
        query = parse_qs(url.query)
        assert query == {"query": [expr], "start": ["10.000"], "end": ["70.000"], "step": ["60"]}
        assert headers["Authorization"] == "Bearer tok-7"
        assert headers["X-Scope-OrgID"] == "team-a"
        assert headers["Accept"] == "application/json"


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
