"""A backfilled real Prometheus per test module, and what validation needs around it."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from generator.promql.interpolate import TimeRange
from generator.sim import MeshConfig, Sandbox, backfilled_prometheus
from generator.validate import Connection, PrometheusClient, ValidateOptions

#: Ten minutes of samples every 15 s: short to build, long enough for 1m rate windows.
WINDOW_SECONDS = 600
STEP_SECONDS = 15
RANGE = "10m"
SCRAPE = f"{STEP_SECONDS}s"
_HEADS = ("Fatal: ", "Bug: ", "Warning: ", "Information: ")


def findings(out: str) -> list[tuple[str, str]]:
    """Each finding's first line split at `` ---> ``: what (severity, message, name and code),
    and where (after the file: dashboard, panel, target, values), as lint prints them."""
    heads = [line for line in out.splitlines() if line.startswith(_HEADS)]
    return [(what, where.split(": ", 1)[-1]) for what, where in (h.split(" ---> ") for h in heads)]


@dataclass
class Backfill:
    """A running backfilled Prometheus, a client to it and the options that fit its window."""

    sandbox: Sandbox
    client: PrometheusClient
    options: ValidateOptions

    @property
    def url(self) -> str:
        return self.sandbox.url

    @property
    def end(self) -> float:
        return self.sandbox.end

    def cli_args(self) -> list[str]:
        """`meshdash validate` flags that query this backfill's window."""
        return [
            "validate",
            "--prometheus",
            self.url,
            "--end",
            str(self.end),
            "--range",
            RANGE,
            "--scrape-interval",
            SCRAPE,
        ]


@contextmanager
def open_backfill(config: MeshConfig | None = None) -> Iterator[Backfill]:
    with backfilled_prometheus(
        config, window_seconds=WINDOW_SECONDS, step_seconds=STEP_SECONDS
    ) as box:
        end_ms = round(box.end * 1000)
        options = ValidateOptions(
            time_range=TimeRange(end_ms - WINDOW_SECONDS * 1000, end_ms),
            range_text=RANGE,
            scrape_interval=SCRAPE,
        )
        with PrometheusClient(Connection(box.url)) as client:
            yield Backfill(box, client, options)


#: The family the negative tests drop from the simulator's output.
DROPPED_FAMILY = "envoy_cluster_upstream_rq"


@pytest.fixture(scope="module")
def backfill() -> Iterator[Backfill]:
    """A healthy simulated mesh, backfilled; one per test module."""
    with open_backfill() as opened:
        yield opened


@pytest.fixture(scope="module")
def damaged_backfill() -> Iterator[Backfill]:
    """The mesh with ``DROPPED_FAMILY`` missing from what the sidecars emit."""
    with open_backfill(MeshConfig(drop_families=frozenset({DROPPED_FAMILY}))) as opened:
        yield opened


@contextmanager
def loopback_server(handler: type[BaseHTTPRequestHandler]) -> Iterator[str]:
    """A threaded HTTP server on a free loopback port answering with ``handler``; its URL."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
