"""What a builder sets on a grafanalib panel is where Grafana reads it, and schema-clean.

Each case sets one attribute to a value no default has and names the JSON path Grafana's
schema gives it; every panel of the cases validates against the schemas with zero violations.
"""

from __future__ import annotations

from typing import Any

import pytest
from grafanalib.core import (
    DataLink,
    GaugePanel,
    Repeat,
    Stat,
    Table,
    TableSortByField,
    Target,
    Text,
    Threshold,
    TimeSeries,
)

from generator.dashboard import Dashboard, Row
from generator.render.grafana_json import render_dashboard, render_panel
from tests.test_schema import _violations

QUERY = [Target(expr="sum(rate(envoy_cluster_upstream_rq[$__rate_interval]))", refId="A")]
OVERRIDE = {
    "matcher": {"id": "byName", "options": "payments"},
    "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "purple"}}],
}
STEPS = [Threshold("green", 0, 0.0), Threshold("red", 1, 80.0)]
RED_ABOVE_80 = [{"color": "green", "value": None}, {"color": "red", "value": 80.0}]
#: GaugePanel's own default is green, then red above 80
GAUGE_STEPS = [Threshold("blue", 0, 0.0), Threshold("orange", 1, 250.0)]
ORANGE_ABOVE_250 = [{"color": "blue", "value": None}, {"color": "orange", "value": 250.0}]
LINK = {"title": "Runbook", "url": "https://runbooks.example/payments"}
MAPPING = {"type": "value", "options": {"1": {"text": "up"}}}
MERGE = {"id": "merge", "options": {}}
DEFAULTS = "fieldConfig.defaults"

#: (panel class, attribute, value set, JSON path, value Grafana reads there)
CASES = [
    (TimeSeries, "description", "Why it matters", "description", "Why it matters"),
    (TimeSeries, "unit", "reqps", f"{DEFAULTS}.unit", "reqps"),
    (TimeSeries, "valueDecimals", 3, f"{DEFAULTS}.decimals", 3),
    (TimeSeries, "valueMin", 0, f"{DEFAULTS}.min", 0),
    (TimeSeries, "valueMax", 1, f"{DEFAULTS}.max", 1),
    (TimeSeries, "thresholds", STEPS, f"{DEFAULTS}.thresholds.steps", RED_ABOVE_80),
    (TimeSeries, "thresholdType", "percentage", f"{DEFAULTS}.thresholds.mode", "percentage"),
    (TimeSeries, "thresholdsStyleMode", "area", f"{DEFAULTS}.custom.thresholdsStyle.mode", "area"),
    (TimeSeries, "mappings", [MAPPING], f"{DEFAULTS}.mappings", [MAPPING]),
    (TimeSeries, "overrides", [OVERRIDE], "fieldConfig.overrides", [OVERRIDE]),
    (TimeSeries, "fillOpacity", 25, f"{DEFAULTS}.custom.fillOpacity", 25),
    (TimeSeries, "lineWidth", 3, f"{DEFAULTS}.custom.lineWidth", 3),
    (TimeSeries, "drawStyle", "bars", f"{DEFAULTS}.custom.drawStyle", "bars"),
    (TimeSeries, "showPoints", "never", f"{DEFAULTS}.custom.showPoints", "never"),
    (TimeSeries, "spanNulls", True, f"{DEFAULTS}.custom.spanNulls", True),
    (TimeSeries, "axisLabel", "req/s", f"{DEFAULTS}.custom.axisLabel", "req/s"),
    (TimeSeries, "axisSoftMax", 5, f"{DEFAULTS}.custom.axisSoftMax", 5),
    (TimeSeries, "scaleDistributionType", "log", f"{DEFAULTS}.custom.scaleDistribution.type", "log"),
    (TimeSeries, "colorMode", "fixed", f"{DEFAULTS}.color.mode", "fixed"),
    (
        TimeSeries,
        "stacking",
        {"mode": "percent"},
        f"{DEFAULTS}.custom.stacking",
        {"group": "A", "mode": "percent"},
    ),
    (TimeSeries, "legendCalcs", ["max", "lastNotNull"], "options.legend.calcs", ["max", "lastNotNull"]),
    (TimeSeries, "legendDisplayMode", "table", "options.legend.displayMode", "table"),
    (TimeSeries, "legendPlacement", "right", "options.legend.placement", "right"),
    (TimeSeries, "tooltipMode", "multi", "options.tooltip.mode", "multi"),
    (TimeSeries, "tooltipSort", "desc", "options.tooltip.sort", "desc"),
    (TimeSeries, "transparent", True, "transparent", True),
    (TimeSeries, "interval", "1m", "interval", "1m"),
    (TimeSeries, "timeFrom", "24h", "timeFrom", "24h"),
    (TimeSeries, "timeShift", "1d", "timeShift", "1d"),
    (TimeSeries, "transformations", [MERGE], "transformations", [MERGE]),
    (TimeSeries, "repeat", Repeat("h", "upstream", 4), "repeat", "upstream"),
    (TimeSeries, "repeat", Repeat("h", "upstream", 4), "repeatDirection", "h"),
    (TimeSeries, "repeat", Repeat("h", "upstream", 4), "maxPerRow", 4),
    (Stat, "format", "percentunit", f"{DEFAULTS}.unit", "percentunit"),
    (Stat, "decimals", 1, f"{DEFAULTS}.decimals", 1),
    (Stat, "thresholds", STEPS, f"{DEFAULTS}.thresholds.steps", RED_ABOVE_80),
    (Stat, "color", {"mode": "fixed", "fixedColor": "blue"}, f"{DEFAULTS}.color.fixedColor", "blue"),
    (Stat, "mappings", [MAPPING], f"{DEFAULTS}.mappings", [MAPPING]),
    (Stat, "overrides", [OVERRIDE], "fieldConfig.overrides", [OVERRIDE]),
    (Stat, "reduceCalc", "max", "options.reduceOptions.calcs", ["max"]),
    (Stat, "fields", "/payments/", "options.reduceOptions.fields", "/payments/"),
    (Stat, "colorMode", "background", "options.colorMode", "background"),
    (Stat, "graphMode", "none", "options.graphMode", "none"),
    (Stat, "textMode", "value_and_name", "options.textMode", "value_and_name"),
    (Stat, "alignment", "center", "options.justifyMode", "center"),
    (Stat, "orientation", "horizontal", "options.orientation", "horizontal"),
    (Stat, "links", [LINK], "links.0.url", LINK["url"]),
    (Stat, "links", [DataLink("Runbook", LINK["url"])], "links.0.title", "Runbook"),
    (Table, "sortBy", [TableSortByField("p99", True)], "options.sortBy", [{"displayName": "p99", "desc": True}]),
    (Table, "showHeader", False, "options.showHeader", False),
    (Table, "filterable", True, f"{DEFAULTS}.custom.filterable", True),
    (Table, "unit", "ms", f"{DEFAULTS}.unit", "ms"),
    (Table, "overrides", [OVERRIDE], "fieldConfig.overrides", [OVERRIDE]),
    (GaugePanel, "min", 10, f"{DEFAULTS}.min", 10),
    (GaugePanel, "max", 500, f"{DEFAULTS}.max", 500),
    (GaugePanel, "format", "ms", f"{DEFAULTS}.unit", "ms"),
    (GaugePanel, "decimals", 2, f"{DEFAULTS}.decimals", 2),
    (GaugePanel, "thresholds", GAUGE_STEPS, f"{DEFAULTS}.thresholds.steps", ORANGE_ABOVE_250),
    (GaugePanel, "calc", "max", "options.reduceOptions.calcs", ["max"]),
    (GaugePanel, "thresholdLabels", True, "options.showThresholdLabels", True),
    (GaugePanel, "thresholdMarkers", False, "options.showThresholdMarkers", False),
    (Text, "content", "# Runbook\nCall the payments on-call.", "options.content", "# Runbook\nCall the payments on-call."),
    (Text, "mode", "html", "options.mode", "html"),
]  # fmt: skip


MISSING = object()


def _at(data: Any, path: str) -> Any:
    """The value at a dotted path (list items by index), or MISSING."""
    for step in path.split("."):
        try:
            data = data[int(step)] if isinstance(data, list) else data[step]
        except (KeyError, IndexError):
            return MISSING
    return data


def _panel(kind: type, **attributes: Any) -> Any:
    targets = [] if kind is Text else QUERY
    return kind(title=f"A {kind.__name__}", targets=targets, **attributes)


@pytest.mark.parametrize(
    ("kind", "attribute", "value", "path", "expected"),
    CASES,
    ids=[f"{case[0].__name__}.{case[1]}->{case[3]}" for case in CASES],
)
def test_what_the_builder_sets_is_where_grafana_reads_it(
    kind: type, attribute: str, value: Any, path: str, expected: Any
) -> None:
    assert _at(render_panel(_panel(kind), 7), path) != expected, "the case sets no default"
    assert _at(render_panel(_panel(kind, **{attribute: value}), 7), path) == expected


@pytest.mark.parametrize("kind", [TimeSeries, Stat, Table, GaugePanel, Text])
def test_every_attribute_of_the_cases_together_is_schema_clean(kind: type, grafana_schema) -> None:
    attributes = {case[1]: case[2] for case in CASES if case[0] is kind}
    panel = _panel(kind, **attributes)
    data = render_dashboard(Dashboard(uid="all", title="All", rows=[Row("r", [panel])]))
    assert _violations(data, grafana_schema) == []


def test_the_base_threshold_step_is_null_whatever_order_the_steps_come_in() -> None:
    panel = _panel(TimeSeries, thresholds=[Threshold("red", 1, 5.0), Threshold("green", 0, 1.0)])
    steps = _at(render_panel(panel, 1), f"{DEFAULTS}.thresholds.steps")
    assert steps == [{"color": "red", "value": None}, {"color": "green", "value": 1.0}]


def test_extra_json_is_merged_over_what_the_attributes_give() -> None:
    panel = _panel(
        TimeSeries,
        legendCalcs=["max"],
        extraJson={"options": {"legend": {"showLegend": False}}, "pluginVersion": "11.0.0"},
    )
    data = render_panel(panel, 1)
    assert data["options"]["legend"] == {
        "calcs": ["max"],
        "displayMode": "list",
        "placement": "bottom",
        "showLegend": False,
    }
    assert data["pluginVersion"] == "11.0.0"


def test_panel_ids_come_from_the_renderer_not_the_definition() -> None:
    assert render_panel(_panel(Stat, id=99), 5)["id"] == 5
