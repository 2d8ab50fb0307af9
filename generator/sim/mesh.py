"""The simulated mesh: model, emitted series, values at a time, ground truth."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from generator.sim.config import MeshConfig
from generator.sim.model import Sidecar, build_mesh
from generator.sim.series import Labels, Series, mesh_series
from generator.sim.story import with_story
from generator.sim.tcp import emitted_tcp_series, ledger_sidecar, tcp_calls
from generator.sim.truth import Truth


@dataclass(frozen=True)
class Sample:
    """One exposed value: sample name (``_bucket`` etc. included), labels, value."""

    name: str
    labels: tuple[tuple[str, str], ...]
    value: float


@dataclass
class Mesh:
    """A deterministic fluid model of the demo mesh; counters start at 0 at ``start``."""

    config: MeshConfig = field(default_factory=MeshConfig)
    start: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        self.sidecars: tuple[Sidecar, ...] = build_mesh(self.config)
        series = mesh_series(self.sidecars)
        if self.config.tcp_service:
            ledger = ledger_sidecar()
            series += list(emitted_tcp_series(tcp_calls(self.sidecars, ledger)))
            self.sidecars += (ledger,)
        self._series = with_story(series, self.config.incidents, self.start)

    def sidecar(self, name: str) -> Sidecar:
        return next(s for s in self.sidecars if s.name == name)

    def truth(self) -> Truth:
        """The ground truth, unaffected by ``drop_families`` / ``rename_labels``."""
        return Truth(self._series)

    def emitted(self, sidecar: str) -> list[Series]:
        """The series a sidecar exposes, after the config's drops and renames."""
        renames = dict(self.config.rename_labels)
        out = []
        for s in self._series:
            if s.sidecar != sidecar or s.family in self.config.drop_families:
                continue
            out.append(Series(s.family, s.sidecar, _renamed(s.labels, renames), s.rate, s.mixture))
        return out

    def samples(self, series: Series, at: float) -> list[Sample]:
        """The sample values of one series at unix time ``at`` (counters are 0 before start)."""
        slopes = self.slopes(series)
        if series.kind == "gauge":
            return slopes
        elapsed = max(0.0, at - self.start)
        return [Sample(s.name, s.labels, s.value * elapsed) for s in slopes]

    @staticmethod
    def slopes(series: Series) -> list[Sample]:
        """Each sample of ``series`` with its growth per second (a gauge: its constant value)."""
        if series.kind != "histogram":
            return [Sample(series.family, series.labels, series.rate)]
        mixture = series.mixture
        assert mixture is not None  # histograms always carry one (see series.py)
        out = [
            Sample(f"{series.family}_bucket", (*series.labels, ("le", _le(le))), rate)
            for le, rate in mixture.bucket_rates()
        ]
        out.append(Sample(f"{series.family}_sum", series.labels, mixture.sum_rate))
        out.append(Sample(f"{series.family}_count", series.labels, mixture.rate))
        return out


def _renamed(labels: Labels, renames: dict[str, str]) -> Labels:
    """``labels`` with ``renames`` applied; a renamed label replaces one already of that name."""
    kept = {k: v for k, v in labels if k not in renames}
    return tuple(sorted((kept | {renames[k]: v for k, v in labels if k in renames}).items()))


def _le(bound: float) -> str:
    if bound == float("inf"):
        return "+Inf"
    return f"{bound:g}" if bound != int(bound) else str(int(bound))
