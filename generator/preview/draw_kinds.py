"""Drawing by panel type: time series, stat, table, bar gauge, heatmap; "No data" for nothing."""

from __future__ import annotations

import math
import textwrap
from collections.abc import Callable, Sequence
from datetime import UTC, datetime

from matplotlib import dates as mdates
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from generator.preview.colors import grafana_color, series_color, threshold_color
from generator.preview.draw import DPI, MUTED, NO_DATA, TEXT, Box, Drawn, field_defaults, message
from generator.preview.fetch import PanelData, SeriesData
from generator.preview.layout import Json
from generator.preview.mappings import mapped
from generator.preview.units import format_value

_TICK_PT = 7
_LEGEND_ROW_PX = 13
_REDUCERS: dict[str, Callable[[list[float]], float]] = {
    "lastNotNull": lambda v: v[-1],
    "last": lambda v: v[-1],
    "firstNotNull": lambda v: v[0],
    "first": lambda v: v[0],
    "mean": lambda v: sum(v) / len(v),
    "max": max,
    "min": min,
    "sum": sum,
}


def draw_panel(fig: Figure, box: Box, data: PanelData) -> Drawn:
    """Draw one panel's content by its type; what it shows comes back as a :class:`Drawn`."""
    placed = data.placed
    kind = str(placed.panel.get("type", ""))
    if data.errors and not data.series:
        message(fig, box, "Query error\n" + data.errors[0][:160], color="#C4162A")
        return Drawn(placed.title, kind, message=data.errors[0])
    if kind == "text":
        return _text(fig, box, data)
    if kind not in _DRAWERS:
        text = f"Panel type {kind!r} is not drawn by the preview"
        message(fig, box, text)
        return Drawn(placed.title, kind, message=text)
    if not data.series or all(not s.values for s in data.series):
        message(fig, box, NO_DATA)
        return Drawn(placed.title, kind, message=NO_DATA)
    return _DRAWERS[kind](fig, box, data)


def reduce(values: Sequence[float], calc: str) -> float:
    """Grafana's reducer ``calc`` over the non-NaN values (NaN when there are none)."""
    kept = [v for v in values if not math.isnan(v)]
    if not kept:
        return math.nan
    return _REDUCERS.get(calc, _REDUCERS["lastNotNull"])(kept)


def _timeseries(fig: Figure, box: Box, data: PanelData) -> Drawn:
    panel, unit = data.placed.panel, field_defaults(data.placed.panel).get("unit")
    custom = field_defaults(panel).get("custom") or {}
    calcs = list(((panel.get("options") or {}).get("legend") or {}).get("calcs") or [])
    columns = 2 if box.width_px > 500 else 1
    rows = min(math.ceil(len(data.series) / columns), max(1, box.height_px // 3 // _LEGEND_ROW_PX))
    ax = box.inset(fig, 58, 10, 4, 18 + rows * _LEGEND_ROW_PX)
    drawn = Drawn(data.placed.title, "timeseries")
    for index, series in enumerate(data.series):
        label = series.name + "".join(
            f"  {calc} {format_value(reduce(series.values, calc), unit)}" for calc in calcs
        )
        when = [_when(t) for t in series.times]
        color = series_color(panel, series.name, index)
        (line,) = ax.plot(when, series.values, label=label, color=color,
                          linewidth=float(custom.get("lineWidth") or 1))  # fmt: skip
        opacity = float(custom.get("fillOpacity") or 0) / 100
        if opacity > 0:
            ax.fill_between(when, series.values, color=color, alpha=opacity, linewidth=0)
        drawn.series[series.name] = [float(v) for v in line.get_ydata()]
        drawn.colors[series.name] = str(line.get_color())
        drawn.times = list(series.times)
    _style_axes(ax, data, box)
    lines = ax.get_lines()[: rows * columns]  # what fits under the plot
    ax.legend(
        handles=lines, loc="upper left", bbox_to_anchor=(0, -16 / max(ax.bbox.height, 1)),
        ncol=columns, fontsize=_TICK_PT, frameon=False, borderaxespad=0, handlelength=1.2,
    )  # fmt: skip
    return drawn


def _style_axes(ax: Axes, data: PanelData, box: Box) -> None:
    defaults = field_defaults(data.placed.panel)
    unit = defaults.get("unit")
    ax.set_xlim(_when(data.window[0]), _when(data.window[1]))
    ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: format_value(v, unit)))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=max(2, box.height_px // 40)))
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=UTC))
    ax.xaxis.set_major_locator(mdates.AutoDateLocator(maxticks=max(3, box.width_px // 90)))
    ax.tick_params(labelsize=_TICK_PT, colors=MUTED, length=2)
    ax.grid(True, color="#e6e6e6", linewidth=0.6)
    for spine in ax.spines.values():
        spine.set_visible(False)
    low, high = defaults.get("min"), defaults.get("max")
    ax.set_ylim(
        bottom=low if isinstance(low, int | float) else None,
        top=high if isinstance(high, int | float) else None,
    )


def _stat(fig: Figure, box: Box, data: PanelData) -> Drawn:
    panel = data.placed.panel
    calc = _calc(panel)
    mode = (panel.get("options") or {}).get("colorMode", "value")
    graph = (panel.get("options") or {}).get("graphMode", "area") == "area"
    drawn = Drawn(data.placed.title, "stat")
    count = len(data.series)
    for index, series in enumerate(data.series):
        value, text, color = _stat_look(panel, series, calc)
        share = box.width_px / count
        left, right = round(index * share), round(box.width_px - (index + 1) * share)
        if graph and len(series.values) > 1:
            _sparkline(box.inset(fig, left, right, round(box.height_px * 0.65), 0), series, color)
        ax = box.inset(fig, left, right, 0, 0)
        ax.set_axis_off()
        if mode == "background":
            ax.set_facecolor(color)
            ax.set_axis_on()
            ax.set_xticks([])
            ax.set_yticks([])
        shown = TEXT if mode == "none" else ("white" if mode == "background" else color)
        ax.text(0.5, 0.55, text, ha="center", va="center", color=shown, fontweight="bold",
                fontsize=_fit_points(text, share, box.height_px))  # fmt: skip
        if count > 1:
            ax.text(
                0.5, 0.12, series.name, ha="center", va="center", fontsize=_TICK_PT, color=MUTED
            )
        drawn.series[series.name] = [value]
        drawn.colors[series.name] = color
        drawn.texts[series.name] = text
    return drawn


def _stat_look(panel: Json, series: SeriesData, calc: str) -> tuple[float, str, str]:
    """A stat's reduced value, the text shown (a mapping's, else the number in its unit), its colour."""
    value = reduce(series.values, calc)
    label, color = mapped(panel, value)
    if label is None:
        label = format_value(value, field_defaults(panel).get("unit"), _decimals(panel))
    if color is None:
        return value, label, threshold_color(panel, value, _bounds(series.values))
    return value, label, grafana_color(color)


def _text(fig: Figure, box: Box, data: PanelData) -> Drawn:
    """A text panel's content as plain wrapped text (markdown marks shown as written)."""
    content = str((data.placed.panel.get("options") or {}).get("content") or "")
    columns = max(10, box.width_px // 7)
    lines = [line for part in content.splitlines() for line in textwrap.wrap(part, columns) or [""]]
    shown = lines[: max(1, box.height_px // 15)]
    ax = box.inset(fig, 8, 8, 2, 4)
    ax.set_axis_off()
    ax.text(0, 1, "\n".join(shown), ha="left", va="top", fontsize=8, color=TEXT)
    return Drawn(data.placed.title, "text", message=content)


def _sparkline(ax: Axes, series: SeriesData, color: str) -> None:
    """The faint area under a stat's number (``graphMode: area``)."""
    ax.set_axis_off()
    ax.fill_between(series.times, series.values, color=color, alpha=0.18, linewidth=0)
    ax.plot(series.times, series.values, color=color, alpha=0.5, linewidth=1)
    ax.set_xlim(series.times[0], series.times[-1])
    finite = [v for v in series.values if math.isfinite(v)] or [0.0]
    ax.set_ylim(bottom=min(0.0, *finite), top=max(finite) * 1.3 or 1.0)


def _table(fig: Figure, box: Box, data: PanelData) -> Drawn:
    unit = field_defaults(data.placed.panel).get("unit")
    labels = sorted({k for s in data.series for k in s.labels if k != "__name__"})
    room = max(1, box.height_px // 18 - 1)
    shown = data.series[:room]
    cells = [[s.labels.get(k, "") for k in labels] + [format_value(reduce(s.values, "lastNotNull"), unit)] for s in shown]  # fmt: skip
    ax = box.inset(fig, 6, 6, 2, 4)
    ax.set_axis_off()
    table = ax.table(
        cellText=cells, colLabels=[*labels, "Value"], loc="upper center", cellLoc="left"
    )
    table.auto_set_font_size(False)
    table.set_fontsize(_TICK_PT)
    drawn = Drawn(data.placed.title, "table")
    drawn.series = {s.name: [reduce(s.values, "lastNotNull")] for s in shown}
    if len(data.series) > room:
        drawn.message = f"{len(data.series) - room} more row(s) not shown"
    return drawn


def _bargauge(fig: Figure, box: Box, data: PanelData) -> Drawn:
    panel = data.placed.panel
    defaults = field_defaults(panel)
    unit = defaults.get("unit")
    calc = _calc(panel)
    values = [reduce(s.values, calc) for s in data.series]
    ax = box.inset(fig, 8 + min(160, box.width_px // 3), 70, 4, 6)
    positions = list(range(len(values)))[::-1]
    ax.barh(positions, [0 if math.isnan(v) else v for v in values],
            color=[threshold_color(panel, v, _bounds(values)) for v in values])  # fmt: skip
    ax.set_yticks(positions, [s.name for s in data.series], fontsize=_TICK_PT)
    top = defaults.get("max")
    ax.set_xlim(left=defaults.get("min") or 0, right=top if isinstance(top, int | float) else None)
    ax.set_xticks([])
    for pos, value in zip(positions, values, strict=True):
        ax.text(1.01, (pos + 0.5) / max(1, len(values)), format_value(value, unit),
                transform=ax.transAxes, va="center", fontsize=_TICK_PT, color=TEXT)  # fmt: skip
    for spine in ax.spines.values():
        spine.set_visible(False)
    return Drawn(
        data.placed.title,
        "bargauge",
        {s.name: [v] for s, v in zip(data.series, values, strict=True)},
    )


def _heatmap(fig: Figure, box: Box, data: PanelData) -> Drawn:
    """Prometheus buckets (cumulative, by ``le``) as counts per bucket over time."""
    buckets = sorted(data.series, key=_le)
    times = buckets[0].times
    rows, previous = [], [0.0] * len(times)
    for series in buckets:
        values = list(series.values[: len(times)])
        rows.append([max(0.0, v - p) for v, p in zip(values, previous, strict=False)])
        previous = values
    ax = box.inset(fig, 58, 10, 4, 18)
    ax.pcolormesh(
        [_when(t) for t in times], range(len(rows)), rows, cmap="Oranges", shading="nearest"
    )
    ax.set_yticks(
        range(len(rows)), [s.labels.get("le", s.name) for s in buckets], fontsize=_TICK_PT
    )
    ax.xaxis.set_major_formatter(mdates.DateFormatter("%H:%M", tz=UTC))
    ax.tick_params(labelsize=_TICK_PT, colors=MUTED, length=2)
    return Drawn(
        data.placed.title,
        "heatmap",
        {s.labels.get("le", s.name): r for s, r in zip(buckets, rows, strict=True)},
        list(times),
    )


def _le(series: SeriesData) -> float:
    try:
        return float(series.labels.get("le", "inf"))
    except ValueError:
        return math.inf


def _fit_points(text: str, width_px: float, height_px: int) -> float:
    """A font size (points) at which ``text`` fits the width (bold digits ~0.65 em wide)."""
    pixels = min(height_px * 0.5, width_px * 0.85 / (0.65 * max(1, len(text))))
    return max(8.0, pixels * 72 / DPI)


def _bounds(values: Sequence[float]) -> tuple[float, float]:
    """The smallest and largest finite value, for thresholds in percentage mode."""
    finite = [v for v in values if math.isfinite(v)] or [0.0]
    return min(finite), max(finite)


def _calc(panel: Json) -> str:
    """The panel's first reducer (``reduceOptions.calcs``), Grafana's default ``lastNotNull``."""
    reduce_options = (panel.get("options") or {}).get("reduceOptions") or {}
    return str((reduce_options.get("calcs") or ["lastNotNull"])[0])


def _decimals(panel: Json) -> int | None:
    value = field_defaults(panel).get("decimals")
    return value if isinstance(value, int) else None


def _when(seconds: float) -> datetime:
    return datetime.fromtimestamp(seconds, tz=UTC)


_DRAWERS: dict[str, Callable[[Figure, Box, PanelData], Drawn]] = {
    "timeseries": _timeseries,
    "graph": _timeseries,
    "stat": _stat,
    "singlestat": _stat,
    "table": _table,
    "bargauge": _bargauge,
    "heatmap": _heatmap,
}
