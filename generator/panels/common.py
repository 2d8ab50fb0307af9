"""Shared shapes for panel builders: a Prometheus target and a time series panel.

Builders in this package return grafanalib objects; `generator.render` turns
them into clean Grafana JSON. Every panel queries `${datasource}`.
"""

from __future__ import annotations

from collections.abc import Sequence

from grafanalib.core import GridPos, Target, TimeSeries

from generator.variables import DATASOURCE_REF

DEFAULT_WIDTH = 12
DEFAULT_HEIGHT = 8


def target(expr: str, *, legend: str, ref_id: str = "A", instant: bool = False) -> Target:
    """One Prometheus query of a panel; `legend` uses Grafana's `{{label}}` syntax."""
    return Target(
        expr=expr,
        legendFormat=legend,
        refId=ref_id,
        instant=instant,
        format="table" if instant else "time_series",
        datasource=DATASOURCE_REF,
    )


def grid(width: int = DEFAULT_WIDTH, height: int = DEFAULT_HEIGHT) -> GridPos:
    """Size of a panel; the renderer places it (x and y are set there)."""
    return GridPos(h=height, w=width, x=0, y=0)


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
) -> TimeSeries:
    """A time series panel with a table legend showing mean and max."""
    return TimeSeries(
        title=title,
        description=description,
        dataSource=DATASOURCE_REF,
        targets=list(targets),
        unit=unit,
        gridPos=grid(width, height),
        legendDisplayMode="table",
        legendPlacement="bottom",
        legendCalcs=["mean", "max"],
        tooltipMode="multi",
        tooltipSort="desc",
        fillOpacity=10,
        showPoints="never",
        valueMin=min_value,
        valueMax=max_value,
    )
