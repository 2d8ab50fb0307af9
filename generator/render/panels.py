"""grafanalib panels -> Grafana JSON, emitted from what the builder set: one emitter per class.

Each emitter reads the panel's attributes and writes the keys of Grafana's schema for
its plugin, so nothing of grafanalib's legacy output (`span`, `minSpan`, Graphite
`target`, nulls) has to be scrubbed afterwards. `extraJson`, Grafana JSON the
definition wrote itself, is merged over the result as grafanalib would merge it.
Other grafanalib panels take `generator.render.other_panels`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from grafanalib.core import GaugePanel, Panel, Stat, Table, Text, Threshold, TimeSeries

from generator.errors import DefinitionError
from generator.render.links import panel_links_json
from generator.render.plain import deep_merge, plain_json, without_nulls
from generator.render.targets import target_json
from generator.variables import DATASOURCE_REF

#: Series panels take colours from the palette; a stat from its thresholds.
PALETTE = {"mode": "palette-classic"}
#: The stacking of a time series whose builder set none
NOT_STACKED = {"group": "A", "mode": "none"}


def emit_panel(panel: Panel) -> dict[str, Any] | None:
    """The panel's JSON (without id and position), or None for a class without an emitter."""
    emit = EMITTERS.get(type(panel))
    if emit is None:
        return None
    data = emit(panel)
    data.update(common_json(panel))
    if panel.extraJson:
        deep_merge(data, plain_json(panel.extraJson))
    return data


def common_json(panel: Panel) -> dict[str, Any]:
    """What every panel carries: title, queries, data source, repeat, links, ..."""
    data: dict[str, Any] = {
        "title": panel.title,
        "datasource": dict(DATASOURCE_REF),
        "targets": [target_json(target) for target in panel.targets],
    }
    optional = {
        "description": panel.description,
        "interval": panel.interval,
        "timeFrom": panel.timeFrom,
        "timeShift": panel.timeShift,
    }
    if (repeat := panel.repeat) is not None:
        optional.update(
            repeat=repeat.variable, repeatDirection=repeat.direction, maxPerRow=repeat.maxPerRow
        )
    data.update(without_nulls(optional))
    if links := panel_links_json(panel.title, panel.links):
        data["links"] = links
    if transformations := plain_json(panel.transformations):
        data["transformations"] = transformations
    if panel.transparent:
        data["transparent"] = panel.transparent
    return data


def field_config(
    panel: Panel,
    *,
    color: Any,
    custom: dict[str, Any],
    unit: Any = None,
    overrides: Any = None,
    **values: Any,
) -> dict[str, Any]:
    """`fieldConfig`: the panel's defaults (`values`: decimals, min, max, mappings) and overrides."""
    defaults = {
        "color": color,
        "custom": custom,
        "thresholds": thresholds_json(panel.title, panel.thresholds, panel.thresholdType),
        **without_nulls({key: plain_json(value) for key, value in values.items()}),
    }
    if unit:
        defaults["unit"] = unit
    return {"defaults": defaults, "overrides": plain_json(overrides) or []}


def thresholds_json(title: str, steps: Any, mode: Any) -> dict[str, Any]:
    """Steps of color and value; Grafana wants the base step's value as null."""
    shaped = [_step(title, step) for step in steps or [] if step is not None]
    if not shaped:
        shaped = [{"color": "green", "value": None}]
    shaped[0]["value"] = None
    return {"mode": mode or "absolute", "steps": shaped}


def _step(title: str, step: Any) -> dict[str, Any]:
    if isinstance(step, Threshold):
        return {"color": step.color, "value": step.value}
    if isinstance(step, dict) and "color" in step:
        return {"color": step["color"], "value": plain_json(step.get("value"))}
    raise DefinitionError(
        f"panel {title!r}: a threshold must be Threshold(color, index, value) or "
        f'{{"color": ..., "value": ...}}, got {type(step).__name__}'
    )


def _or(value: Any, default: Any) -> Any:
    return default if value is None else value


def _timeseries_custom(panel: TimeSeries) -> dict[str, Any]:
    """The plugin's own field settings: how series are drawn."""
    custom = without_nulls(
        {
            "axisPlacement": panel.axisPlacement,
            "axisLabel": panel.axisLabel,
            "axisSoftMin": panel.axisSoftMin,
            "axisSoftMax": panel.axisSoftMax,
            "barAlignment": panel.barAlignment,
            "drawStyle": panel.drawStyle,
            "fillOpacity": panel.fillOpacity,
            "gradientMode": panel.gradientMode,
            "lineInterpolation": panel.lineInterpolation,
            "lineWidth": panel.lineWidth,
            "pointSize": panel.pointSize,
            "showPoints": panel.showPoints,
            "spanNulls": panel.spanNulls,
        }
    )
    custom["scaleDistribution"] = without_nulls(
        {"type": panel.scaleDistributionType, "log": panel.scaleDistributionLog}
    )
    custom["hideFrom"] = {"legend": False, "tooltip": False, "viz": False}
    custom["thresholdsStyle"] = without_nulls({"mode": panel.thresholdsStyleMode})
    custom["stacking"] = {**NOT_STACKED, **(plain_json(panel.stacking) or {})}
    return custom


def _timeseries(panel: TimeSeries) -> dict[str, Any]:
    legend = {
        "calcs": plain_json(panel.legendCalcs) or [],
        "displayMode": _or(panel.legendDisplayMode, "list"),
        "placement": _or(panel.legendPlacement, "bottom"),
        "showLegend": True,
    }
    tooltip = without_nulls({"mode": panel.tooltipMode, "sort": panel.tooltipSort})
    return {
        "type": "timeseries",
        "fieldConfig": field_config(
            panel,
            color=without_nulls({"mode": panel.colorMode}),
            custom=_timeseries_custom(panel),
            unit=panel.unit,
            overrides=panel.overrides,
            decimals=panel.valueDecimals,
            min=panel.valueMin,
            max=panel.valueMax,
            mappings=panel.mappings,
        ),
        "options": {"legend": legend, "tooltip": tooltip},
    }


def _stat(panel: Stat) -> dict[str, Any]:
    reduce_options = without_nulls(
        {"calcs": plain_json([panel.reduceCalc]), "fields": panel.fields, "values": False}
    )
    return {
        "type": "stat",
        "fieldConfig": field_config(
            panel,
            color=_or(plain_json(panel.color), {"mode": "thresholds"}),
            custom={},
            unit=panel.format,
            overrides=panel.overrides,
            decimals=panel.decimals,
            mappings=panel.mappings,
        ),
        "options": {
            "colorMode": _or(panel.colorMode, "value"),
            "graphMode": _or(panel.graphMode, "area"),
            "justifyMode": _or(panel.alignment, "auto"),
            "orientation": _or(panel.orientation, "auto"),
            "percentChangeColorMode": "standard",
            "reduceOptions": reduce_options,
            "showPercentChange": False,
            "textMode": _or(panel.textMode, "auto"),
            "wideLayout": True,
        },
    }


def _table(panel: Table) -> dict[str, Any]:
    # No cellOptions: Grafana's default is "auto", and the schema's oneOf cannot
    # tell {"type": "auto"} from its color-text and colored-background branches.
    custom = {"align": "auto", "inspect": False, "filterable": bool(panel.filterable)}
    options: dict[str, Any] = {
        "frameIndex": 0,
        "showHeader": _or(panel.showHeader, True),
        "cellHeight": "sm",
    }
    if sort_by := plain_json(panel.sortBy):
        options["sortBy"] = sort_by
    return {
        "type": "table",
        "fieldConfig": field_config(
            panel, color=dict(PALETTE), custom=custom, unit=panel.unit, overrides=panel.overrides
        ),
        "options": options,
    }


def _gauge(panel: GaugePanel) -> dict[str, Any]:
    return {
        "type": "gauge",
        "fieldConfig": field_config(
            panel,
            color=dict(PALETTE),
            custom={},
            unit=panel.format,
            decimals=panel.decimals,
            min=panel.min,
            max=panel.max,
            mappings=panel.valueMaps,
        ),
        "options": {
            "minVizHeight": 75,
            "minVizWidth": 75,
            "orientation": "auto",
            "reduceOptions": {"calcs": plain_json([panel.calc])},
            "showThresholdLabels": bool(panel.thresholdLabels),
            "showThresholdMarkers": bool(_or(panel.thresholdMarkers, True)),
            "sizing": "auto",
        },
    }


def _text(panel: Text) -> dict[str, Any]:
    return {
        "type": "text",
        "fieldConfig": field_config(panel, color=dict(PALETTE), custom={}),
        "options": without_nulls({"content": panel.content, "mode": panel.mode}),
    }


#: The panel classes emitted from their attributes, by exact class: a subclass may
#: carry attributes of its own that an emitter would silently leave out.
EMITTERS: dict[type[Panel], Callable[[Any], dict[str, Any]]] = {
    TimeSeries: _timeseries,
    Stat: _stat,
    Table: _table,
    GaugePanel: _gauge,
    Text: _text,
}
