"""The "SRE extends the library" path: own panel, own query template, own folder."""

from __future__ import annotations

import json
from pathlib import Path

DEFINITION = '''
from grafanalib.core import TimeSeries

from generator.dashboard import Dashboard, Row
from generator.panels.common import target, timeseries
from generator.queries import render_query
from generator.variables import datasource, service


def active_connections(*, service: str = "$service") -> TimeSeries:
    """Upstream connections held open by `$service`'s sidecar.

    sum by (consul_destination_service) (envoy_cluster_upstream_cx_active{consul_source_service=~"$service"})
    """
    return timeseries(
        title="Active upstream connections",
        description="Connections the sidecar keeps open to each upstream.",
        unit="short",
        targets=[target(render_query("team/active_connections", service=service),
                        legend="{{consul_destination_service}}")],
    )


TEAM = Dashboard(
    uid="team-connections",
    title="Team / Connections",
    folder="Team",
    variables=[datasource(), service()],
    rows=[Row("Connections", [active_connections()])],
)
'''

TEMPLATE = (
    "<# a team's own query #>\n"
    "sum by (consul_destination_service) (\n"
    '  envoy_cluster_upstream_cx_active{consul_source_service=~"<< service >>"}\n'
    ")\n"
)


def test_custom_dashboard_panel_and_template_build(run_cli, tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "team.py").write_text(DEFINITION)
    (tmp_path / "queries" / "team").mkdir(parents=True)
    (tmp_path / "queries" / "team" / "active_connections.promql.j2").write_text(TEMPLATE)

    result = run_cli(
        "build",
        "--dashboards",
        str(tmp_path / "dashboards"),
        "--queries",
        str(tmp_path / "queries"),
        "--out",
        str(tmp_path / "out"),
    )

    assert result.exit_code == 0, result.err
    data = json.loads((tmp_path / "out" / "team-connections.json").read_text())
    panel = data["panels"][1]
    assert panel["title"] == "Active upstream connections"
    assert panel["targets"][0]["expr"] == (
        "sum by (consul_destination_service) ("
        'envoy_cluster_upstream_cx_active{consul_source_service=~"$service"})'
    )
    assert panel["targets"][0]["legendFormat"] == "{{consul_destination_service}}"
    assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}


def test_custom_template_is_not_found_without_its_folder(run_cli, tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "team.py").write_text(DEFINITION)
    result = run_cli(
        "build", "--dashboards", str(tmp_path / "dashboards"), "--out", str(tmp_path / "out")
    )
    assert result.exit_code == 2
    assert (
        "team.py:" in result.err and "'team/active_connections.promql.j2' not found" in result.err
    )
    assert not (tmp_path / "out").exists()
