"""Shared shapes for panel builders: a Prometheus target and a time series panel.

Builders in this package return grafanalib objects; `generator.render.grafana_json` turns
them into clean Grafana JSON. Every panel queries `${datasource}`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from grafanalib.core import GridPos, Panel, Target, Threshold, TimeSeries

from generator.errors import DefinitionError
from generator.promql.dashboard import MAY_BE_EMPTY, may_be_empty_query
from generator.variables import DATASOURCE_REF

DEFAULT_WIDTH = 12
DEFAULT_HEIGHT = 8
#: columns of Grafana's grid
GRID_WIDTH = 24
#: refIds of a panel's targets, in order
REF_IDS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
#: the success ratio below which a panel turns red, unless a builder is given `objective=`
DEFAULT_OBJECTIVE = 0.99


def label(name: str) -> str:
    """`{{name}}`: where a legend shows the value of the series' label `name`."""
    return "{{" + name + "}}"


def target(
    expr: str,
    *,
    legend: str,
    ref_id: str = "A",
    instant: bool = False,
    may_be_empty: bool = False,
) -> Target:
    """One Prometheus query of a panel; `legend` uses Grafana's `{{label}}` syntax.

    `may_be_empty=True` says no series is a legitimate answer (a service that
    never retries): the query ends with a `# meshdash: may be empty` comment
    line, which Prometheus ignores and `meshdash validate` reports as a note.
    """
    if may_be_empty and not may_be_empty_query(expr):
        expr = f"{expr.rstrip()}\n{MAY_BE_EMPTY}"
    return Target(
        expr=expr,
        legendFormat=legend,
        refId=ref_id,
        instant=instant,
        format="table" if instant else "time_series",
        datasource=DATASOURCE_REF,
    )


def grid(width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT, *, title: str = "") -> GridPos:
    """Size of a panel; the renderer places it (x and y are set there)."""
    check_size(title, width, height)
    return GridPos(h=height, w=width, x=0, y=0)


def panel_size(panel: Panel) -> tuple[int, int]:
    """(width, height) of any grafanalib panel: its `gridPos`, or 12x8 without one."""
    pos = panel.gridPos
    if pos is None:
        return DEFAULT_WIDTH, DEFAULT_HEIGHT
    if isinstance(pos, GridPos):
        width, height = pos.w, pos.h
    elif isinstance(pos, dict):
        width, height = pos.get("w", DEFAULT_WIDTH), pos.get("h", DEFAULT_HEIGHT)
    else:
        raise DefinitionError(
            f"panel {panel.title!r}: gridPos must be a GridPos (or leave it out: the "
            f"renderer sizes and places panels), got {described(pos)}"
        )
    check_size(panel.title, width, height)
    return width, height


def check_size(title: str, width: Any, height: Any) -> None:
    """A size the grid can hold; the message names the option, as attrs validators do."""
    if not _is_int(width) or not 1 <= width <= GRID_WIDTH:
        raise DefinitionError(
            f"panel {title!r}: width must be an int from 1 to {GRID_WIDTH}, got {described(width)}"
        )
    if not _is_int(height) or height < 1:
        raise DefinitionError(
            f"panel {title!r}: height must be an int of at least 1, got {described(height)}"
        )


def check_text(title: Any, option: str, value: Any) -> None:
    if not isinstance(value, str):
        raise DefinitionError(f"panel {title!r}: {option} must be text, got {described(value)}")


def check_targets(title: Any, targets: Any) -> None:
    """A list of `target(...)`, each with its PromQL and legend as text."""
    expected = f"panel {title!r}: targets must be a list of target(...)"
    if isinstance(targets, Target | str) or not isinstance(targets, Sequence):
        raise DefinitionError(f"{expected}, got {described(targets)}")
    for item in targets:
        if not isinstance(item, Target):
            raise DefinitionError(f"{expected}, one is {described(item)}")
        check_text(title, f"target {item.refId} expr", item.expr)
        check_text(title, f"target {item.refId} legend", item.legendFormat)


def check_quantiles(title: str, quantiles: Any) -> None:
    if isinstance(quantiles, str) or not isinstance(quantiles, Sequence):
        raise DefinitionError(
            f"panel {title!r}: quantiles must be a list such as [0.5, 0.99], "
            f"got {described(quantiles)}"
        )
    for quantile in quantiles:
        check_quantile(title, quantile)


def check_quantile(title: str, quantile: Any) -> None:
    """`histogram_quantile` wants 0 to 1: p99 is 0.99, not 99."""
    if not isinstance(quantile, int | float) or isinstance(quantile, bool) or not 0 < quantile < 1:
        raise DefinitionError(
            f"panel {title!r}: a quantile must be a number between 0 and 1 (0.99 for p99), "
            f"got {described(quantile)}"
        )


def _is_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def timeseries(
    *,
    title: str,
    description: str,
    unit: str,
    targets: Sequence[Target],
    width: int = DEFAULT_WIDTH,
    height: int = DEFAULT_HEIGHT,
    min_value: float | None = None,
    max_value: float | None = None,
    overrides: Sequence[dict[str, Any]] = (),
    objective: float | None = None,
) -> TimeSeries:
    """A time series panel with a table legend showing mean and max.

    `objective` (a ratio such as 0.99) draws the area below it red: a success ratio
    under its objective. `overrides` are Grafana field overrides (`status_colors()`).
    """
    for option, value in (("title", title), ("description", description), ("unit", unit)):
        check_text(title, option, value)
    check_targets(title, targets)
    return TimeSeries(
        title=title,
        description=description,
        dataSource=DATASOURCE_REF,
        targets=list(targets),
        unit=unit,
        gridPos=grid(width, height, title=title),
        legendDisplayMode="table",
        legendPlacement="bottom",
        legendCalcs=["mean", "max"],
        tooltipMode="multi",
        tooltipSort="desc",
        fillOpacity=10,
        showPoints="never",
        valueMin=min_value,
        valueMax=max_value,
        overrides=list(overrides),
        **_objective(title, objective),
    )


def check_objective(title: str, objective: Any) -> None:
    """A success objective is a ratio: 0.99 for 99%, not 99."""
    if (
        not isinstance(objective, int | float)
        or isinstance(objective, bool)
        or not 0 < objective <= 1
    ):
        raise DefinitionError(
            f"panel {title!r}: objective must be a ratio above 0 and at most 1 "
            f"(0.99 for 99%), got {described(objective)}"
        )


def _objective(title: str, objective: float | None) -> dict[str, Any]:
    if objective is None:
        return {}
    check_objective(title, objective)
    return {
        "thresholds": [Threshold("red", 0, 0.0), Threshold("green", 1, float(objective))],
        "thresholdsStyleMode": "area",
    }


#: Grafana colours for response classes, as SREs read them
STATUS_COLORS = (("2", "green"), ("3", "blue"), ("4", "orange"), ("5", "red"))


def status_colors() -> list[dict[str, Any]]:
    """Field overrides colouring series whose name ends in a code (`503`) or class (`5xx`)."""
    return [
        {
            "matcher": {"id": "byRegexp", "options": f"/ {digit}(xx|[0-9][0-9])$/"},
            "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": color}}],
        }
        for digit, color in STATUS_COLORS
    ]


def described(value: Any) -> str:
    """`'12' (a str)` for a message; long reprs (a whole panel) shortened to the type alone."""
    kind = type(value).__name__
    article = "an" if kind[0].lower() in "aeiou" else "a"
    shown = repr(value)
    if value is None or len(shown) > 40:
        return "None" if value is None else f"{article} {kind}"
    return f"{shown} ({article} {kind})"
