"""A panel's queries and a dashboard's variables carry what their definition set, as Grafana reads it."""

from __future__ import annotations

from typing import Any

import pytest
from grafanalib.core import Template

from generator import variables
from generator.dashboard import Dashboard, Row
from generator.flavors import CONSUL
from generator.panels.common import target, timeseries
from generator.render.grafana_json import render_dashboard
from generator.render.targets import target_json
from generator.render.variables import variable_json
from tests.test_schema import _violations

EXPR = 'sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq{consul_source_service=~"$service"}[5m]))'
DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}


def test_a_range_query_is_a_code_mode_time_series_of_the_datasource_variable() -> None:
    query = target_json(target(EXPR, legend="{{consul_destination_service}}", ref_id="C"))
    assert query == {
        "datasource": DATASOURCE,
        "editorMode": "code",
        "expr": EXPR,
        "legendFormat": "{{consul_destination_service}}",
        "refId": "C",
        "range": True,
        "format": "time_series",
    }


def test_an_instant_query_is_a_table_and_not_a_range() -> None:
    query = target_json(target(EXPR, legend="{{le}}", instant=True))
    assert (query["instant"], query["range"], query["format"]) == (True, False, "table")


def test_a_may_be_empty_query_keeps_its_comment_line() -> None:
    query = target_json(target(EXPR, legend="x", may_be_empty=True))
    assert query["expr"] == f"{EXPR}\n# meshdash: may be empty"


TEAM = Template(
    name="team",
    label="Team",
    query="label_values(envoy_cluster_upstream_rq, team)",
    regex="/(.*)-prod/",
    dataSource=DATASOURCE,
    multi=True,
    includeAll=True,
    allValue="team-.*",
    refresh=2,
    sort=3,
    hide=1,
)


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("name", "team"),
        ("label", "Team"),
        ("type", "query"),
        ("query", "label_values(envoy_cluster_upstream_rq, team)"),
        ("regex", "/(.*)-prod/"),
        ("multi", True),
        ("includeAll", True),
        ("allValue", "team-.*"),
        ("refresh", 2),
        ("sort", 3),
        ("hide", 1),
        ("datasource", DATASOURCE),
        ("options", []),
    ],
)
def test_a_variable_carries_what_its_template_sets(key: str, expected: Any) -> None:
    assert variable_json(TEAM)[key] == expected


def test_all_by_default_stores_all_as_selected() -> None:
    selected = variable_json(variables.service(flavor=CONSUL, all_by_default=True))
    assert selected["current"] == {"selected": True, "text": ["All"], "value": ["$__all"]}
    assert "current" not in variable_json(variables.service(flavor=CONSUL))


def test_the_datasource_variable_queries_no_datasource_and_filters_nothing() -> None:
    data = variable_json(variables.datasource())
    assert (data["type"], data["query"]) == ("datasource", "prometheus")
    assert "datasource" not in data and "regex" not in data


def test_unset_regex_and_all_value_are_left_out() -> None:
    data = variable_json(Template(name="zone", query="label_values(up, zone)"))
    assert "regex" not in data and "allValue" not in data and "label" not in data


def test_variables_and_queries_are_schema_clean(grafana_schema) -> None:
    panel = timeseries(
        title="t",
        description="d",
        unit="reqps",
        targets=[target(EXPR, legend="a"), target(EXPR, legend="b", ref_id="B", instant=True)],
    )
    dashboard = Dashboard(
        uid="vars",
        title="Variables",
        rows=[Row("r", [panel])],
        variables=[
            variables.datasource(),
            variables.service(flavor=CONSUL, all_by_default=True),
            variables.upstream(flavor=CONSUL),
            TEAM,
        ],
    )
    assert _violations(render_dashboard(dashboard), grafana_schema) == []
