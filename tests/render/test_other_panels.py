"""Panels without an emitter: grafanalib's others take the fallback, anyone else's are refused."""

from __future__ import annotations

from pathlib import Path

import pytest
from grafanalib.core import BarGauge, Panel, PieChartv2, Repeat, Target, TimeSeries

from generator.dashboard import Dashboard, Row
from generator.errors import DefinitionError
from generator.render.grafana_json import render_dashboard, render_panel
from tests.test_schema import _violations

QUERY = [Target(expr="sum by (le) (rate(envoy_cluster_upstream_rq_time_bucket[5m]))", refId="A")]
LINK = {"title": "Runbook", "url": "https://runbooks.example/latency"}


def _bar_gauge() -> BarGauge:
    return BarGauge(
        title="Latency buckets",
        description="Requests per latency bucket.",
        targets=QUERY,
        displayMode="lcd",
        orientation="vertical",
        links=[LINK],
        repeat=Repeat("v", "upstream"),
    )


def test_another_grafanalib_panel_keeps_its_plugin_and_options() -> None:
    data = render_panel(_bar_gauge(), 4)
    assert (data["id"], data["type"], data["title"]) == (4, "bargauge", "Latency buckets")
    assert data["options"]["displayMode"] == "lcd"
    assert data["options"]["orientation"] == "vertical"
    assert data["description"] == "Requests per latency bucket."
    assert (data["repeat"], data["repeatDirection"]) == ("upstream", "v")
    assert [(link["title"], link["url"]) for link in data["links"]] == [
        (LINK["title"], LINK["url"])
    ]
    assert [target["expr"] for target in data["targets"]] == [QUERY[0].expr]
    assert data["targets"][0]["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


@pytest.mark.parametrize("panel", [_bar_gauge(), PieChartv2(title="Split", targets=QUERY)])
def test_the_fallback_writes_only_keys_of_the_dashboard_schema(
    panel: Panel, grafana_schema
) -> None:
    """grafanalib's legacy panel keys (span, minSpan, editable, error, ...) are left out.

    The plugin's own options are grafanalib's, which Grafana's current schemas may not
    accept (the README says so): only the dashboard-level findings are held to zero.
    """
    data = render_dashboard(Dashboard(uid="other", title="Other", rows=[Row("r", [panel])]))
    dashboard_level = [v for v in _violations(data, grafana_schema) if v.startswith("dashboard ")]
    assert dashboard_level == []


class TeamTimeSeries(TimeSeries):
    """A user's own panel class: an emitter would silently leave out what it adds."""


def test_a_panel_class_render_does_not_know_is_a_definition_error() -> None:
    panel = TeamTimeSeries(title="Team latency", targets=QUERY)
    with pytest.raises(DefinitionError, match=r"^panel 'Team latency' is a TeamTimeSeries, "):
        render_panel(panel, 1)


TEAM_PANEL = """
from grafanalib.core import Target, TimeSeries

from generator.dashboard import Dashboard, Row


class TeamTimeSeries(TimeSeries):
    pass


D = Dashboard(uid="team", title="Team", rows=[Row("r", [TeamTimeSeries(title="Team latency",
              targets=[Target(expr="sum(up)", refId="A")])])])
"""


def test_build_names_the_file_dashboard_and_panel_in_one_line(run_cli, tmp_path: Path) -> None:
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    (dashboards / "team.py").write_text(TEAM_PANEL)
    out = tmp_path / "out"

    result = run_cli("build", "--dashboards", str(dashboards), "--out", str(out))

    assert result.exit_code == 2
    assert result.err.count("\n") == 1 and "Traceback" not in result.err
    assert result.err.startswith(
        f"meshdash: error: {dashboards / 'team.py'}: dashboard 'team': panel 'Team latency' "
        "is a TeamTimeSeries, a panel class meshdash cannot render"
    )
    assert not (out / "team.json").exists()


def test_a_panel_link_without_a_url_is_a_definition_error() -> None:
    panel = TimeSeries(title="Linked", targets=QUERY, links=[{"title": "Runbook"}])
    with pytest.raises(
        DefinitionError, match=r"^panel 'Linked': a link must have a title and a url"
    ):
        render_panel(panel, 1)
