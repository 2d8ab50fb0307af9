"""[tool.meshdash]: the README documents every key, typos are errors, and the make
targets hand a user's own dashboards and queries folders to meshdash."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from generator.config import DEFAULTS, load_config
from generator.errors import ConfigError
from tests.conftest import ROOT

README = (ROOT / "README.md").read_text()


def _settings_section() -> str:
    match = re.search(r"^## Settings: `\[tool.meshdash\]`\n(.*?)^## ", README, re.S | re.M)
    assert match, "README has no '## Settings: `[tool.meshdash]`' section"
    return match.group(1)


def test_the_readme_table_lists_every_key_with_its_default() -> None:
    rows = re.findall(r"^\| `([^`]+)` \| `([^`]+)` \| ([^|]+) \|", _settings_section(), re.M)
    documented = {key: tomllib.loads(f"v = {default}")["v"] for key, default, _ in rows}
    assert documented == DEFAULTS
    assert all("`build`" in read_by or "`lint`" in read_by for _, _, read_by in rows)


def test_the_readme_example_is_accepted(tmp_path: Path) -> None:
    (example,) = re.findall(r"```toml\n(.*?)```", _settings_section(), re.S)
    (tmp_path / "pyproject.toml").write_text(example)
    config = load_config(tmp_path)
    assert config.queries == tmp_path.resolve() / "myqueries"
    assert config.lint_disable == ("MD302",)


@pytest.mark.parametrize(
    ("toml", "expected"),
    [
        ('querys = "mine"', "has no setting 'querys'; did you mean queries? known: "),
        (
            '[lint]\ndisabled = ["MD302"]',
            "has no setting 'lint.disabled'; did you mean lint.disable?",
        ),
        ("dashboards = 3", "[tool.meshdash] dashboards must be a folder name"),
        (None, "[tool.meshdash] must be a table of settings"),
    ],
)
def test_a_wrong_setting_is_one_line_naming_the_file(
    tmp_path: Path, toml: str | None, expected: str
) -> None:
    pyproject = tmp_path / "pyproject.toml"
    text = f"[tool.meshdash]\n{toml}\n" if toml else '[tool]\nmeshdash = "dashboards"\n'
    pyproject.write_text(text.replace("[lint]", "[tool.meshdash.lint]"))
    with pytest.raises(ConfigError) as info:
        load_config(tmp_path)
    assert str(info.value).startswith(f"{pyproject.resolve()}: ")
    assert expected in str(info.value) and "\n" not in str(info.value)


OWN_TEMPLATE = 'sum(envoy_cluster_upstream_cx_active{consul_source_service=~"<< service >>"})\n'
OWN_DASHBOARD = """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.panels.common import target, timeseries
from generator.queries import render_query
from generator.variables import datasource, service

CONNECTIONS = timeseries(
    title="Active connections", description="Open upstream connections.", unit="short",
    targets=[target(render_query("team/active", service="$service"), legend="{{consul_source_service}}")],
)
TEAM = Dashboard(uid="team", title="Team", variables=[datasource(), service()],
                 rows=[Row("r", [CONNECTIONS, http.downstream_request_rate()])])
"""


def _user_project(root: Path, pyproject: str) -> Path:
    """A project of a user: own folders, the repository's Makefile and virtualenv."""
    root.mkdir()
    shutil.copy(ROOT / "Makefile", root / "Makefile")
    (root / ".venv").symlink_to(ROOT / ".venv")
    (root / "pyproject.toml").write_text(pyproject)
    (root / "mydash").mkdir()
    (root / "mydash" / "team.py").write_text(OWN_DASHBOARD)
    (root / "myqueries" / "team").mkdir(parents=True)
    (root / "myqueries" / "team" / "active.promql.j2").write_text(OWN_TEMPLATE)
    return root


def _make(project: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DASHBOARDS", "QUERIES", "MAKEFLAGS")}
    # -o: the shared virtualenv is installed already; never reinstall it from here.
    command = ["make", "-s", "-o", ".venv/.installed-stamp", *args]
    return subprocess.run(command, cwd=project, env=env, capture_output=True, text=True)


@pytest.mark.parametrize(
    ("pyproject", "variables"),
    [
        ("[project]\nname = 'x'\n", ["DASHBOARDS=mydash", "QUERIES=myqueries"]),
        ('[tool.meshdash]\ndashboards = "mydash"\nqueries = "myqueries"\n', []),
    ],
    ids=["make-variables", "pyproject-settings"],
)
def test_make_dashboards_builds_with_a_users_own_folders(
    tmp_path: Path, pyproject: str, variables: list[str]
) -> None:
    project = _user_project(tmp_path / "project", pyproject)
    result = _make(project, "dashboards", *variables)
    assert result.returncode == 0, result.stderr
    data = json.loads((project / "build" / "dashboards" / "team.json").read_text())
    exprs = [t["expr"] for p in data["panels"] for t in p.get("targets", [])]
    assert exprs[0] == 'sum(envoy_cluster_upstream_cx_active{consul_source_service=~"$service"})'
    assert exprs[1].startswith("sum by (local_cluster, envoy_response_code_class)")


def test_every_make_target_that_reads_definitions_passes_the_folders(tmp_path: Path) -> None:
    project = _user_project(tmp_path / "project", "")
    result = _make(project, "-n", "check", "validate", "push", "DASHBOARDS=d", "QUERIES=q1 q2")
    commands = [line for line in result.stdout.splitlines() if "bin/meshdash " in line]
    assert [c.split("/meshdash ")[1].split(" --")[0] for c in commands] == [
        "build",
        "build",
        "lint",
        "validate",
        "push",
    ]
    assert all(c.endswith("--dashboards d --queries q1 --queries q2") for c in commands)
