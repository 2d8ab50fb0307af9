"""One HTTP server per sidecar serving Envoy's ``/stats/prometheus`` from the wall clock."""

from __future__ import annotations

import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from generator.sim.exposition import envoy_text
from generator.sim.mesh import Mesh
from generator.sim.series import JOB, scrape_labels

STATS_PATH = "/stats/prometheus"


class _SidecarServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, mesh: Mesh, sidecar: str) -> None:
        super().__init__(("127.0.0.1", 0), _StatsHandler)
        self.mesh = mesh
        self.sidecar = sidecar

    def handle_error(self, request: Any, client_address: Any) -> None:
        """A scraper that hangs up mid-answer is routine; anything else is the sandbox's bug."""
        error = sys.exc_info()[1]
        if not isinstance(error, ConnectionError):
            super().handle_error(request, client_address)


class _StatsHandler(BaseHTTPRequestHandler):
    server: _SidecarServer

    def do_GET(self) -> None:
        if self.path.split("?")[0] != STATS_PATH:
            self.send_error(404, f"only {STATS_PATH} is served")
            return
        body = envoy_text(self.server.mesh, self.server.sidecar, time.time()).encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: scrapes every second would flood the terminal."""


class LiveMesh:
    """Serves every sidecar of ``mesh`` on its own free loopback port while in ``with``."""

    def __init__(self, mesh: Mesh) -> None:
        self.mesh = mesh
        self._servers: list[_SidecarServer] = []
        self._threads: list[threading.Thread] = []

    @property
    def addresses(self) -> dict[str, str]:
        """``sidecar name -> 127.0.0.1:port``."""
        return {s.sidecar: f"127.0.0.1:{s.server_address[1]}" for s in self._servers}

    @property
    def urls(self) -> dict[str, str]:
        """``sidecar name -> http://127.0.0.1:port/stats/prometheus``."""
        return {name: f"http://{addr}{STATS_PATH}" for name, addr in self.addresses.items()}

    def scrape_config(self) -> dict[str, Any]:
        """A Prometheus scrape config with the same scrape labels the backfill writes."""
        addresses = self.addresses
        return {
            "job_name": JOB,
            "metrics_path": STATS_PATH,
            "static_configs": [
                {"targets": [addresses[s.name]], "labels": _target_labels(s)}
                for s in self.mesh.sidecars
            ],
        }

    def __enter__(self) -> LiveMesh:
        try:
            for sidecar in self.mesh.sidecars:
                server = _SidecarServer(self.mesh, sidecar.name)
                thread = threading.Thread(target=server.serve_forever, daemon=True)
                try:
                    thread.start()
                except BaseException:
                    server.server_close()
                    raise
                self._servers.append(server)
                self._threads.append(thread)
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    def close(self) -> None:
        """Stops every server and joins its thread; idempotent."""
        for server in self._servers:
            server.shutdown()
            server.server_close()
        for thread in self._threads:
            thread.join(timeout=5)
        self._servers, self._threads = [], []


def _target_labels(sidecar: Any) -> dict[str, str]:
    labels = scrape_labels(sidecar)
    labels.pop("job")
    return labels
