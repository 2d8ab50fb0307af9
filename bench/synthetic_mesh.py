"""A synthetic mesh of N services for the validation benchmark.

The simulator's own topology is the fixed demo (ingress -> api -> payments ->
currency), so this builds N sidecars from the simulator's model classes:
service i calls services i+1 and i+7 (mod N), every service is called by two
others, so `$service` has N values and `$upstream` two per service. The
simulator's series and OpenMetrics writer give the same metric names and
labels as the sandbox; only the families the dashboards query are written,
which keeps the backfill small enough for promtool to load in seconds.

Beside the Consul-tagged Envoy stats, the same calls are written as Istio's
standard metrics (`istio_requests_total` and its histograms, both reporters),
and every tenth service also opens TCP connections (`istio_tcp_*`, both
reporters), so the Istio variable queries are measured on the same mesh.
"""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from generator.sim.config import MeshConfig
from generator.sim.distribution import Mixture, Piece
from generator.sim.exposition import write_openmetrics
from generator.sim.istio import istio_series, istio_tcp_series
from generator.sim.mesh import Mesh, Sample
from generator.sim.model import Cluster, RetryStats, Sidecar, Traffic
from generator.sim.prometheus import PrometheusServer, create_blocks
from generator.sim.series import Series, mesh_series
from generator.sim.tcp import TcpCall

CALL_OFFSETS = (1, 7)
#: Service i with i % TCP_EVERY == 0 also opens TCP connections to service i + TCP_OFFSET.
TCP_EVERY, TCP_OFFSET, TCP_OPENED = 10, 3, 2.0
_METRIC = re.compile(r"[a-zA-Z_:][a-zA-Z0-9_:]*")


def service_name(index: int) -> str:
    return f"svc-{index:03d}"


def sidecars(count: int) -> tuple[Sidecar, ...]:
    """N sidecars; rates and error shares vary by service so that results differ."""
    out = []
    for i in range(count):
        calls = [service_name((i + k) % count) for k in CALL_OFFSETS]
        clusters = [_cluster(dest, rps=4.0 + (i % 5), failing=(i % 10 == 0)) for dest in calls]
        inbound_rps = 8.0 + (i % 3)
        inbound = Traffic(
            {200: inbound_rps * 0.97, 503: inbound_rps * 0.03},
            Mixture.of([Piece(inbound_rps, 5.0, 40.0 + i % 20)]),
        )
        local = Cluster("local_app", None, None, inbound, RetryStats(inbound_rps))
        out.append(
            Sidecar(
                service_name(i), service_name(i), "public_listener", "0.0.0.0_20000",
                inbound, (local, *clusters),
            )
        )  # fmt: skip
    return tuple(out)


def _cluster(destination: str, *, rps: float, failing: bool) -> Cluster:
    error = 0.25 if failing else 0.01
    traffic = Traffic(
        {200: rps * (1 - error), 503: rps * error},
        Mixture.of([Piece(rps * (1 - error), 2.0, 60.0), Piece(rps * error, 1.0, 5.0)]),
    )
    retries = rps * error
    retry = RetryStats(rps + retries, retries, {503: retries}, retries * 0.9, retries * 0.1)
    return Cluster(destination, destination, None, traffic, retry)


def istio_mesh_series(mesh: tuple[Sidecar, ...]) -> list[Series]:
    """Istio's series of the synthetic mesh: every call from both reporters, plus TCP.

    `istio_series` looks up every cluster's callee among all sidecars (cubic in N,
    hours at 1,000 services); here each sidecar's callees and callers are known,
    so it runs on those three sidecars at a time and keeps what that sidecar reports.
    """
    count = len(mesh)
    out: list[Series] = []
    for i, sidecar in enumerate(mesh):
        callees = _distinct(sidecar, (mesh[(i + k) % count] for k in CALL_OFFSETS))
        callers = _distinct(sidecar, (mesh[(i - k) % count] for k in CALL_OFFSETS))
        out += _reported_by(sidecar, "source", istio_series((sidecar, *callees)))
        out += _reported_by(sidecar, "destination", istio_series((*callers, sidecar)))
    calls = [
        TcpCall(caller, mesh[(i + TCP_OFFSET) % count], TCP_OPENED)
        for i, caller in enumerate(mesh)
        if i % TCP_EVERY == 0
    ]
    return out + list(istio_tcp_series(calls))


def _distinct(sidecar: Sidecar, others: Iterable[Sidecar]) -> tuple[Sidecar, ...]:
    """`others` without `sidecar` and without repeats (a mesh smaller than the offsets)."""
    return tuple({s.name: s for s in others if s.name != sidecar.name}.values())


def _reported_by(sidecar: Sidecar, reporter: str, series: list[Series]) -> list[Series]:
    return [s for s in series if s.sidecar == sidecar.name and s.label("reporter") == reporter]


#: The retry families, which a service without retries configured does not emit.
RETRY_FAMILIES = frozenset(
    {"envoy_cluster_upstream_rq_retry", "envoy_cluster_retry_upstream_rq_xx"}
)
RENAMED_LABEL = "consul_destination_service"


@dataclass(frozen=True)
class Gaps:
    """Damage to what some sidecars emit, for tests that expect exactly those gaps reported.

    ``no_retries``: services whose sidecars emit no retry families;
    ``renamed``: (service, upstream) pairs whose series of the ``renamed_in``
    families carry ``consul_destination_service`` under another name
    (``RENAMED_TO``); the latency histogram keeps it, so ``$upstream`` still
    lists the upstream.
    """

    no_retries: frozenset[str] = frozenset()
    renamed: frozenset[tuple[str, str]] = frozenset()
    renamed_in: frozenset[str] = frozenset({"envoy_cluster_upstream_rq_xx"})

    def apply(self, series: Series) -> Series | None:
        if series.sidecar in self.no_retries and series.family in RETRY_FAMILIES:
            return None
        pair = (series.sidecar, series.label(RENAMED_LABEL))
        if series.family in self.renamed_in and pair in self.renamed:
            labels = tuple((RENAMED_TO if k == RENAMED_LABEL else k, v) for k, v in series.labels)
            return replace(series, labels=labels)
        return series


RENAMED_TO = "consul_upstream_service"


class SyntheticMesh:
    """What `write_openmetrics` reads from a mesh: sidecars, their series, sample values."""

    def __init__(
        self,
        count: int,
        *,
        start: float,
        families: Iterable[str] | None = None,
        gaps: Gaps | None = None,
    ):
        self.sidecars = sidecars(count)
        self._clock = Mesh(MeshConfig(), start=start)
        keep = set(families) if families is not None else None
        self._by_sidecar: dict[str, list[Series]] = {}
        for series in [*mesh_series(self.sidecars), *istio_mesh_series(self.sidecars)]:
            emitted = (gaps or Gaps()).apply(series)
            if emitted is not None and (keep is None or series.family in keep):
                self._by_sidecar.setdefault(series.sidecar, []).append(emitted)

    def emitted(self, sidecar: str) -> list[Series]:
        return self._by_sidecar.get(sidecar, [])

    @property
    def start(self) -> float:
        return self._clock.start

    def slopes(self, series: Series) -> list[Sample]:
        return self._clock.slopes(series)

    def samples(self, series: Series, at: float) -> list[Sample]:
        return self._clock.samples(series, at)


def families_used(queries: Iterable[str], count: int) -> set[str]:
    """The emitted families whose name (or `_bucket`/`_sum`/`_count`) a query mentions."""
    names = {m for q in queries for m in _METRIC.findall(q)}
    few = sidecars(min(count, 10))
    all_families = {s.family for s in [*mesh_series(few), *istio_mesh_series(few)]}
    suffixes = ("", "_bucket", "_sum", "_count")
    return {f for f in all_families if any(f + s in names for s in suffixes)}


@contextmanager
def backfilled(
    work: Path,
    count: int,
    queries: Iterable[str],
    *,
    first: int,
    last: int,
    step: int,
    gaps: Gaps | None = None,
) -> Iterator[PrometheusServer]:
    """A real Prometheus over the synthetic mesh's samples from `first` to `last`."""
    families = families_used(queries, count)
    mesh = SyntheticMesh(count, start=first - 300, families=families, gaps=gaps)
    root = work / "validate"
    source, data_dir = root / "mesh.om.txt", root / "data"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    with source.open("w") as out:
        write_openmetrics(mesh, out, range(first, last + 1, step))  # type: ignore[arg-type]
    create_blocks(source, data_dir)
    source.unlink()
    with PrometheusServer(data_dir=data_dir, scrape_interval=f"{step}s") as server:
        yield server
