"""The README works first time: its extension path, followed literally, builds, lints,
validates against the sandbox and publishes; its examples pass the CI's ruff; its tables
are true.

The user's project is a temporary folder holding the README's files (see
tests/readme_examples.py); nothing of the repository is modified.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.grafana.folders import folder_uid
from tests.conftest import ROOT
from tests.readme_examples import README, code_blocks, lay_out, project_files
from tests.validate.conftest import open_backfill

RUFF = Path(sys.executable).with_name("ruff")
TOKEN = "glsa_readme_example_token_7f3c"
PAYMENTS, TEAM = "payments-team", "team-connections"
#: The README's promise for its custom panel, with the Consul flavor.
TEAM_EXPR = (
    "sum by (local_cluster) (envoy_http_downstream_cx_active{"
    'local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"})'
)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The README's files laid out as a user's project, and the current folder."""
    monkeypatch.chdir(lay_out(tmp_path / "project"))
    return tmp_path / "project"


@pytest.fixture
def grafana(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """The loopback Grafana stand-in, with the environment `meshdash push` reads."""
    monkeypatch.syspath_prepend(str(ROOT / "tests" / "grafana"))  # its modules import by name
    standin = importlib.import_module("standin").GrafanaStandIn(tokens={TOKEN: "Editor"})
    standin.start()
    monkeypatch.setenv("GRAFANA_URL", standin.url)
    monkeypatch.setenv("GRAFANA_TOKEN", TOKEN)
    for name in ("GRAFANA_USER", "GRAFANA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    yield standin
    standin.stop()


def _panels(path: Path) -> list[dict[str, Any]]:
    return json.loads(path.read_text())["panels"]


def test_the_extension_path_names_every_file_it_needs() -> None:
    assert sorted(project_files()) == [
        "dashboards/_team_panels.py",
        "dashboards/payments.py",
        "dashboards/team.py",
        "queries/team/inbound_connections.promql.j2",
    ]


def test_the_custom_panel_and_template_take_label_names_from_the_flavor() -> None:
    files = project_files()
    for name in ("dashboards/_team_panels.py", "queries/team/inbound_connections.promql.j2"):
        assert "consul_" not in files[name], name
    assert "<< flavor.proxy_label >>" in files["queries/team/inbound_connections.promql.j2"]


def test_the_readme_extension_path_builds_lints_validates_and_publishes(
    run_cli: Any, project: Path, grafana: Any
) -> None:
    built = run_cli("build")
    assert built.exit_code == 0, built.err
    out = project / "build" / "dashboards"
    assert sorted(p.name for p in out.glob("*.json")) == [f"{PAYMENTS}.json", f"{TEAM}.json"]
    assert [p["title"] for p in _panels(out / f"{PAYMENTS}.json")] == [
        "Inbound",
        "Inbound requests by response class",
        "Inbound success ratio",
        "To $upstream",
        "Upstream latency to $upstream",
        "Retries to $upstream",
    ]
    row, panel = _panels(out / f"{TEAM}.json")
    assert (row["title"], panel["title"]) == ("Connections", "Open inbound connections")
    assert [(t["expr"], t["legendFormat"]) for t in panel["targets"]] == [
        (TEAM_EXPR, "{{local_cluster}}")
    ]

    linted = run_cli("lint")
    # the two dashboards: payments-team's four panels and the team's one
    summary = "lint: 2 dashboard(s), 5 panel(s), 0 problem(s)\n"
    assert (linted.exit_code, linted.out) == (0, summary), linted.err

    with open_backfill() as backfill:
        validated = run_cli(*backfill.cli_args(), "--strict", "--format", "json")
    report = json.loads(validated.out)
    assert validated.exit_code == 0, report["problems"]
    summary = report["summary"]
    # payments-team's four panels (rows are not panels) and the team's one, each with data
    assert (summary["panels"], summary["panels_ok"]) == (5, 5)
    assert (summary["failures"], summary["warnings"]) == (0, 0)
    assert report["variables"][TEAM] == {"service": ["api", "currency", "payments"]}
    assert report["variables"][PAYMENTS]["service"] == ["api", "currency", "payments"]

    pushed = run_cli("push")
    assert pushed.exit_code == 0, pushed.out + pushed.err
    for uid, folder in ((PAYMENTS, "Payments"), (TEAM, "Team")):
        stored = grafana.dashboards[uid]
        assert stored.folder_uid == folder_uid(folder)
        assert grafana.folders[folder_uid(folder)]["title"] == folder
        assert stored.dashboard["panels"] == _panels(out / f"{uid}.json")


def test_the_readme_panel_serves_another_flavor_by_name(run_cli: Any, project: Path) -> None:
    (project / "dashboards" / "team_envoy.py").write_text(
        "from _team_panels import inbound_connections\n\n"
        "from generator.dashboard import Dashboard, Row\n"
        "from generator.variables import datasource, service\n\n"
        'ENVOY = Dashboard(uid="team-envoy", title="Team / Envoy",\n'
        '    variables=[datasource(), service(flavor="envoy")],\n'
        '    rows=[Row("Connections", [inbound_connections(flavor="envoy")])])\n'
    )
    built = run_cli("build")
    assert built.exit_code == 0, built.err
    _, panel = _panels(project / "build" / "dashboards" / "team-envoy.json")
    assert panel["targets"][0]["expr"] == TEAM_EXPR.replace("public_listener", "ingress_http")


@pytest.mark.parametrize("block", code_blocks("python"), ids=lambda b: b.splitlines()[0][:40])
def test_every_python_example_passes_the_ci_ruff(block: str) -> None:
    """As `make lint` sees the file once copied into the project (its config, its folders)."""
    named = re.match(r"# (dashboards/\S+\.py)\n", block)
    filename = named.group(1) if named else "examples/readme_example.py"
    for command in (["format", "--check"], ["check"]):
        ruff = subprocess.run(
            [str(RUFF), *command, "--stdin-filename", filename, "-"],
            input=block,
            capture_output=True,
            text=True,
            cwd=ROOT,
        )
        assert ruff.returncode == 0, f"ruff {command[0]} {filename}:\n{ruff.stdout}{ruff.stderr}"


def _make_targets_table() -> list[list[str]]:
    section = README.read_text().split("## Make targets\n", 1)[1].split("\n## ", 1)[0]
    rows = [line for line in section.splitlines() if line.startswith("| `")]
    return [[c.strip() for c in row.strip("|").split("|")] for row in rows]


def test_make_targets_table_lists_each_target_once_in_two_columns() -> None:
    cells = _make_targets_table()
    assert all(len(c) == 2 and c[1] for c in cells), [c for c in cells if len(c) != 2]
    documented = [re.fullmatch(r"`make (\w+)`", c[0]) for c in cells]
    assert all(documented), [c[0] for c, m in zip(cells, documented, strict=True) if not m]
    phony = re.search(r"^\.PHONY: (.*)$", (ROOT / "Makefile").read_text(), re.M)
    assert phony
    internal = {"prometheus"}  # a prerequisite of other targets, not run by hand
    assert sorted(m.group(1) for m in documented if m) == sorted(
        set(phony.group(1).split()) - internal
    )


def test_the_ci_example_runs_documented_make_targets_in_pipeline_order() -> None:
    workflow = yaml.safe_load((ROOT / "examples" / "ci" / "publish-dashboards.yml").read_text())
    runs = [
        step["run"] for job in workflow["jobs"].values() for step in job["steps"] if "run" in step
    ]
    targets = [run.removeprefix("make ") for run in runs if run.startswith("make ")]
    documented = [c[0].strip("`").removeprefix("make ") for c in _make_targets_table()]
    assert set(targets) <= set(documented), set(targets) - set(documented)
    # build, drift check and ruff before the sandbox; publishing last, after every check
    assert targets[:4] == ["dashboards", "check", "lint", "validate"]
    assert targets[-1] == "push"
