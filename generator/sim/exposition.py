"""Text formats: Envoy's ``/stats/prometheus`` (live) and OpenMetrics (backfill).

Envoy names counters without ``_total``; OpenMetrics requires ``_total`` on
``counter`` families, so the backfill declares counters and gauges ``unknown``
(promtool 2.42 accepts that, see tests/sim) and histograms ``histogram``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator
from itertools import groupby
from typing import TextIO

from generator.sim.mesh import Mesh, Sample
from generator.sim.series import Series, scrape_labels


def envoy_text(mesh: Mesh, sidecar: str, at: float) -> str:
    """What the sidecar's admin ``/stats/prometheus`` answers at unix time ``at``."""
    lines: list[str] = []
    for family, group in _families(mesh.emitted(sidecar)):
        lines.append(f"# TYPE {family} {group[0].kind}")
        for series in group:
            lines.extend(_sample_line(s) for s in mesh.samples(series, at))
    return "\n".join(lines) + "\n"


def write_openmetrics(mesh: Mesh, out: TextIO, times: Iterable[float]) -> int:
    """Writes every sidecar's series at each of ``times`` (seconds); returns the line count.

    Scrape labels (job, instance, namespace, pod) are added here, as the live
    Prometheus config adds them, so both ways give the same series.
    """
    stamps = list(times)
    count = 0
    by_family: dict[str, list[tuple[dict[str, str], Series]]] = {}
    for sidecar in mesh.sidecars:
        extra = scrape_labels(sidecar)
        for series in mesh.emitted(sidecar.name):
            by_family.setdefault(series.family, []).append((extra, series))
    for family in sorted(by_family):
        rows = by_family[family]
        kind = rows[0][1].kind
        out.write(f"# TYPE {family} {'histogram' if kind == 'histogram' else 'unknown'}\n")
        for extra, series in rows:
            count += _write_series(mesh, series, extra, stamps, out)
    out.write("# EOF\n")
    return count


def _write_series(
    mesh: Mesh, series: Series, extra: dict[str, str], stamps: list[float], out: TextIO
) -> int:
    """One series at every stamp; each sample's name and labels are formatted once."""
    slopes = [
        (_sample_head(s.name, tuple(sorted((*s.labels, *extra.items())))), s.value)
        for s in mesh.slopes(series)
    ]
    gauge = series.kind == "gauge"
    for at in stamps:
        elapsed = max(0.0, at - mesh.start)
        stamp = format_value(at)
        for head, slope in slopes:
            value = slope if gauge else slope * elapsed
            out.write(f"{head} {format_value(value)} {stamp}\n")
    return len(stamps) * len(slopes)


def _families(series: list[Series]) -> Iterator[tuple[str, list[Series]]]:
    ordered = sorted(series, key=lambda s: s.family)
    for family, group in groupby(ordered, key=lambda s: s.family):
        yield family, list(group)


def _sample_line(sample: Sample) -> str:
    return f"{_sample_head(sample.name, sample.labels)} {format_value(sample.value)}"


def _sample_head(name: str, labels: tuple[tuple[str, str], ...]) -> str:
    text = ",".join(f'{k}="{_escape(v)}"' for k, v in labels)
    return f"{name}{{{text}}}"


def format_value(value: float) -> str:
    """Shortest exact text of a float (integers without ``.0``)."""
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    value = float(value)
    if value.is_integer() and abs(value) < 1e15:
        return str(int(value))
    return repr(value)


def _escape(value: str) -> str:
    return value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
