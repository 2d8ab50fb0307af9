"""The README's examples are real: the definition and the custom panel build as shown."""

from __future__ import annotations

import json
import re
from pathlib import Path

from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _block_containing(marker: str, lang: str = "python") -> str:
    blocks = re.findall(rf"```{lang}\n(.*?)```", README, flags=re.S)
    matching = [b for b in blocks if marker in b]
    assert len(matching) == 1, f"expected one {lang} block with {marker!r}"
    return matching[0]


def _dedent_block(marker: str) -> str:
    """A code block inside a numbered list is indented by three spaces."""
    raw = re.search(r"   ```python\n(.*?)   ```", README, flags=re.S)
    assert raw and marker in raw.group(1)
    return "\n".join(line[3:] for line in raw.group(1).splitlines()) + "\n"


def test_readme_definition_and_custom_panel_build(run_cli, tmp_path: Path) -> None:
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    (dashboards / "payments.py").write_text(_block_containing('uid="payments-team"'))
    (dashboards / "_team_panels.py").write_text(_dedent_block("def active_connections"))
    (dashboards / "team.py").write_text(
        "from _team_panels import active_connections\n"
        "from generator.dashboard import Dashboard, Row\n"
        "from generator.variables import datasource, service\n\n"
        'TEAM = Dashboard(uid="team", title="Team", variables=[datasource(), service()],\n'
        '                 rows=[Row("Connections", [active_connections()])])\n'
    )
    template = re.search(r"```\n<# queries/team/active_connections.promql.j2.*?```", README, re.S)
    assert template
    queries = tmp_path / "queries" / "team"
    queries.mkdir(parents=True)
    (queries / "active_connections.promql.j2").write_text(template.group(0)[4:-3])

    result = run_cli(
        "build",
        "--dashboards",
        str(dashboards),
        "--queries",
        str(tmp_path / "queries"),
        "--out",
        str(tmp_path / "out"),
    )

    assert result.exit_code == 0, result.err
    payments = json.loads((tmp_path / "out" / "payments-team.json").read_text())
    assert payments["tags"] == ["meshdash", "payments"]
    assert [p["title"] for p in payments["panels"]][:3] == [
        "Inbound",
        "Inbound requests by response class",
        "Inbound success ratio",
    ]
    team = json.loads((tmp_path / "out" / "team.json").read_text())
    assert "envoy_cluster_upstream_cx_active" in team["panels"][1]["targets"][0]["expr"]
