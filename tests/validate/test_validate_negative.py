"""validate fails, naming what is wrong, on a mesh missing a metric and on broken definitions.

The Prometheus here is backfilled from a damaged simulator that never emits
``envoy_cluster_upstream_rq`` (see conftest); the custom dashboard is written
to tmp_path with the panel library and team query templates, as a user would.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.validate.conftest import findings

DROPPED = "envoy_cluster_upstream_rq"

DEFINITION = """
from grafanalib.core import Template

from generator.dashboard import Dashboard, Row
from generator.panels.common import target, timeseries
from generator.queries import render_query
from generator.variables import DATASOURCE_REF, datasource


def panel(title, template, legend, **params):
    return timeseries(
        title=title,
        description="A team panel.",
        unit="reqps",
        targets=[target(render_query(f"team/{template}", **params), legend=legend)],
    )


TEAM = Dashboard(
    uid="team-broken",
    title="Team / Broken",
    folder="Team",
    variables=[
        datasource(),
        Template(name="canary", type="query", query="envoy_canary_rq_total",
                 regex='/version="([^"]*)"/', dataSource=DATASOURCE_REF),
    ],
    rows=[Row("Calls", [
        panel("Calls to a misspelled upstream", "calls_to", "{{consul_destination_service}}",
              upstream="paymnts"),
        panel("Calls by class, legend wants a dropped label", "calls_by_destination",
              "{{envoy_response_code_class}}"),
        panel("Calls to payments", "calls_to", "{{consul_destination_service}}",
              upstream="payments"),
    ])],
)
"""

CALLS_TO = (
    "sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_xx{"
    'consul_source_service="api", consul_destination_service="<< upstream >>"}[$__rate_interval]))\n'
)
CALLS_BY_DESTINATION = (
    "sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_xx{"
    'consul_source_service="api"}[$__rate_interval]))\n'
)


@pytest.fixture
def team_dir(tmp_path: Path) -> Path:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "team.py").write_text(DEFINITION)
    templates = tmp_path / "queries" / "team"
    templates.mkdir(parents=True)
    (templates / "calls_to.promql.j2").write_text(CALLS_TO)
    (templates / "calls_by_destination.promql.j2").write_text(CALLS_BY_DESTINATION)
    return tmp_path


def _team_run(run_cli: Any, backfill: Any, team_dir: Path, *extra: str) -> Any:
    return run_cli(
        *backfill.cli_args(),
        "--dashboards",
        str(team_dir / "dashboards"),
        "--queries",
        str(team_dir / "queries"),
        *extra,
    )


def test_dropped_metric_fails_naming_dashboard_panel_and_metric(
    run_cli: Any, damaged_backfill: Any, shipped_dir: Path
) -> None:
    result = run_cli(*damaged_backfill.cli_args(), "--dashboards", str(shipped_dir))
    assert result.exit_code == 1
    assert [f for f in findings(result.out) if f[0].startswith("Bug: ")] == [
        (
            f"Bug: no series: metric {DROPPED} has no series at all in the last 10m "
            "(validate/no-series, MD401)",
            'dashboard "Service mesh / Service" panel '
            f'"Upstream requests to $upstream by response code" target A [service={s} upstream={u}]',
        )
        for s, u in (("api", "payments"), ("payments", "currency"))
    ]
    assert "validation found 2 problem(s) at or above bug" in result.err
    assert "0 failed" not in result.out.splitlines()[-1]


def test_misspelled_label_value_fails_naming_the_matcher(
    run_cli: Any, damaged_backfill: Any, team_dir: Path
) -> None:
    result = _team_run(run_cli, damaged_backfill, team_dir)
    assert result.exit_code == 1
    [(what, where)] = [x for x in findings(result.out) if "misspelled" in x[1]]
    assert where == 'dashboard "Team / Broken" panel "Calls to a misspelled upstream" target A'
    assert what == (
        'Bug: no series: envoy_cluster_upstream_rq_xx{consul_source_service="api"} has series '
        'but adding consul_destination_service="paymnts" leaves none; '
        "consul_destination_service there is payments (validate/no-series, MD401)"
    )


def test_legend_label_missing_from_results_fails_naming_the_label(
    run_cli: Any, damaged_backfill: Any, team_dir: Path
) -> None:
    result = _team_run(run_cli, damaged_backfill, team_dir)
    [(what, where)] = [x for x in findings(result.out) if "legend wants" in x[1]]
    assert where.startswith('dashboard "Team / Broken" panel "Calls by class')
    assert what.startswith("Bug: ") and what.endswith("(validate/legend-label, MD402)")
    assert "lack label 'envoy_response_code_class'" in what


def test_variable_without_values_fails_and_good_panels_pass(
    run_cli: Any, damaged_backfill: Any, team_dir: Path
) -> None:
    result = _team_run(run_cli, damaged_backfill, team_dir, "--format", "json")
    assert result.exit_code == 1
    body = json.loads(result.out)
    failed = {
        (p["code"], p["severity"], p["location"]["variable"], p["location"]["panel_title"])
        for p in body["problems"]
    }
    assert failed == {
        ("MD403", "bug", "canary", None),
        ("MD401", "bug", None, "Calls to a misspelled upstream"),
        ("MD402", "bug", None, "Calls by class, legend wants a dropped label"),
    }
    assert body["summary"]["panels"] == 3
    assert body["summary"]["panels_failed"] == 2
