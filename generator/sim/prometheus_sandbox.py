"""Ready-to-query Prometheus sandboxes backed by the simulator, for validation and demos.

- :func:`backfilled_prometheus`: a past window written as OpenMetrics, loaded
  with promtool, served by prometheus. Fast and deterministic: query at
  ``sandbox.end`` (the last sample) and rates equal the truth to ~1e-9.
- :func:`live_prometheus`: the sidecars serve ``/stats/prometheus`` from the
  wall clock and prometheus scrapes them every ``scrape_interval`` seconds.
"""

from __future__ import annotations

import math
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import requests

from generator.errors import SandboxError
from generator.sim.config import MeshConfig
from generator.sim.exposition import write_openmetrics
from generator.sim.live import LiveMesh
from generator.sim.mesh import Mesh
from generator.sim.prometheus import PrometheusServer, create_blocks
from generator.sim.series import JOB
from generator.sim.truth import Truth

#: Counters start this long before the backfilled window, so every window sees full slopes.
_LEAD_SECONDS = 300


@dataclass
class Sandbox:
    """A running Prometheus over a simulated mesh, and what its queries must return."""

    url: str
    mesh: Mesh
    prometheus: PrometheusServer
    end: float
    sidecar_urls: dict[str, str] = field(default_factory=dict)

    @property
    def truth(self) -> Truth:
        return self.mesh.truth()


@contextmanager
def backfilled_prometheus(
    config: MeshConfig | None = None,
    *,
    window_seconds: int = 900,
    step_seconds: int = 5,
    end: float | None = None,
) -> Iterator[Sandbox]:
    """Prometheus over ``window_seconds`` of samples every ``step_seconds`` ending at ``end``.

    ``end`` (default: now, rounded down to the step) is the last sample's time;
    evaluate instant queries there.
    """
    if window_seconds <= 0 or step_seconds <= 0 or window_seconds < 2 * step_seconds:
        raise SandboxError("the backfill needs window_seconds >= 2 * step_seconds > 0")
    last = int(math.floor((time.time() if end is None else end) / step_seconds) * step_seconds)
    first = last - window_seconds
    mesh = Mesh(config or MeshConfig(), start=first - _LEAD_SECONDS)
    with tempfile.TemporaryDirectory(prefix="meshdash-backfill-") as tmp:
        source, data_dir = Path(tmp) / "mesh.om.txt", Path(tmp) / "data"
        with source.open("w") as out:
            write_openmetrics(mesh, out, range(first, last + 1, step_seconds))
        create_blocks(source, data_dir)
        source.unlink()
        with PrometheusServer(data_dir=data_dir, scrape_interval=f"{step_seconds}s") as server:
            yield Sandbox(server.url, mesh, server, float(last))


@contextmanager
def live_prometheus(
    config: MeshConfig | None = None,
    *,
    scrape_interval: float = 1.0,
    min_scrapes: int = 3,
    port: int | None = None,
    timeout: float = 60.0,
) -> Iterator[Sandbox]:
    """Prometheus scraping the live simulator; yields after ``min_scrapes`` scrapes of each."""
    if not (scrape_interval > 0 and math.isfinite(scrape_interval)):
        raise SandboxError(f"the scrape interval must be > 0 seconds, got {scrape_interval}")
    mesh = Mesh(config or MeshConfig(), start=time.time())
    interval = f"{round(scrape_interval * 1000)}ms"
    with LiveMesh(mesh) as live:
        scrape = [live.scrape_config()]
        with PrometheusServer(scrape, scrape_interval=interval, port=port) as server:
            sandbox = Sandbox(server.url, mesh, server, time.time(), live.urls)
            if min_scrapes > 0:
                wait_for_scrapes(server.url, len(mesh.sidecars), min_scrapes, timeout)
            sandbox.end = time.time()
            yield sandbox


def wait_for_scrapes(url: str, targets: int, scrapes: int, timeout: float) -> None:
    """Waits until each of ``targets`` has been scraped successfully ``scrapes`` times."""
    query = f"count(count_over_time(up{{job={JOB!r}}}[1h]) >= {scrapes})".replace("'", '"')
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            answer = requests.get(f"{url}/api/v1/query", params={"query": query}, timeout=5)
            result = answer.json()["data"]["result"]
            if result and float(result[0]["value"][1]) >= targets:
                return
        except (requests.RequestException, ValueError, KeyError):
            pass
        time.sleep(0.2)
    raise SandboxError(f"prometheus at {url} did not scrape {targets} sidecars {scrapes} times")
