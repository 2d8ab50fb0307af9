"""Each placed panel's queries, run as Grafana runs them: over the range, at Grafana's step.

The expression is interpolated with the variables the panel sees (its row's
repeat value included) by the same code validate and lint use; range targets
are range queries over Grafana's aligned window, instant targets instant
queries at its end. A query Prometheus refuses is kept as the panel's error
(drawn in the panel); an unreachable Prometheus or refused credentials stop
the run.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import Executor
from dataclasses import dataclass, field

from generator.errors import (
    InterpolationError,
    PrometheusAuthError,
    PrometheusError,
    PrometheusUnreachable,
)
from generator.preview.layout import Placed
from generator.promql.dashboard import LEGEND_LABEL, TargetRef, iter_targets
from generator.promql.interpolate import TimeRange, interpolate
from generator.validate.client import PrometheusClient, Series
from generator.validate.runner import query_window


@dataclass(frozen=True)
class SeriesData:
    """One result series as the panel shows it: its display name and points."""

    name: str
    ref_id: str
    labels: dict[str, str]
    times: tuple[float, ...]
    values: tuple[float, ...]


@dataclass
class PanelData:
    """What one placed panel's queries returned."""

    placed: Placed
    window: tuple[float, float]
    series: list[SeriesData] = field(default_factory=list)
    queries: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class QuerySettings:
    time_range: TimeRange
    scrape_interval: str


def fetch_panels(
    client: PrometheusClient, placed: Sequence[Placed], settings: QuerySettings, pool: Executor
) -> list[PanelData]:
    """Every non-row panel's data, its queries run concurrently on ``pool``."""
    start, end, _step = query_window(settings.time_range, settings.scrape_interval)
    panels = [PanelData(p, (start, end)) for p in placed if not p.is_row]
    work = [(data, ref) for data in panels for ref in iter_targets({"panels": [data.placed.panel]})]
    futures = [pool.submit(_run_target, client, data.placed, ref, settings) for data, ref in work]
    for (data, _ref), future in zip(work, futures, strict=True):
        expr, series, error = future.result()
        if expr:
            data.queries.append(expr)
        data.series.extend(series)
        if error:
            data.errors.append(error)
    return panels


def _run_target(
    client: PrometheusClient, placed: Placed, ref: TargetRef, settings: QuerySettings
) -> tuple[str | None, list[SeriesData], str | None]:
    """The interpolated expression, its series, or why there are none."""
    try:
        expr = interpolate(
            ref.expr,
            placed.selection,
            time_range=settings.time_range,
            scrape_interval=settings.scrape_interval,
        )
    except InterpolationError as exc:
        return None, [], f"{ref.ref_id}: cannot interpolate the query: {exc}"
    start, end, step = query_window(settings.time_range, settings.scrape_interval)
    try:
        if ref.instant and not ref.range:
            found = client.instant(expr, at=end)
        else:
            found = client.range(expr, start=start, end=end, step=step)
    except (PrometheusUnreachable, PrometheusAuthError):
        raise
    except PrometheusError as exc:
        return expr, [], f"{ref.ref_id}: query failed: {exc}"
    return expr, [_series(s, ref, expr) for s in found], None


def _series(found: Series, ref: TargetRef, expr: str) -> SeriesData:
    times = tuple(t for t, _ in found.points)
    values = tuple(v for _, v in found.points)
    name = legend_name(ref.legend_format, found.labels, expr)
    return SeriesData(name, ref.ref_id, dict(found.labels), times, values)


def legend_name(legend_format: str | None, labels: dict[str, str], expr: str) -> str:
    """Grafana's display name: the legend format with ``{{label}}`` filled, else the labels."""
    if legend_format and legend_format != "__auto":
        return LEGEND_LABEL.sub(lambda m: labels.get(m.group(1), ""), legend_format)
    shown = {k: v for k, v in labels.items() if k != "__name__"}
    if not shown:
        return labels.get("__name__", expr)
    inner = ", ".join(f'{k}="{v}"' for k, v in sorted(shown.items()))
    return f"{labels.get('__name__', '')}{{{inner}}}"
