"""The "SRE extends the library" path beyond the README's happy path (tests/test_readme.py).

Each test works in a project of its own (tests/readme_examples.py lays out the README's
files), never in the repository's folders or under its settings.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from xml.etree import ElementTree

import pytest

from tests.conftest import ROOT, SCHEMA_DIR, copy_shipped, require_schema_dir
from tests.readme_examples import lay_out

TEMPLATE = "team/inbound_connections.promql.j2"
#: A template name no built-in has: in a source checkout the built-in templates are the
#: repository's own queries/, where a user following the README may have put TEMPLATE.
PROJECT_ONLY = "project_only/inbound_connections"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(lay_out(tmp_path / "project"))
    return tmp_path / "project"


def test_custom_template_is_not_found_without_its_folder(run_cli: Any, project: Path) -> None:
    helper = project / "dashboards" / "_team_panels.py"
    text = helper.read_text()
    assert text.count(f'"{TEMPLATE.removesuffix(".promql.j2")}"') == 1
    helper.write_text(text.replace(TEMPLATE.removesuffix(".promql.j2"), PROJECT_ONLY))
    shutil.rmtree(project / "queries")

    result = run_cli("build")

    assert result.exit_code == 2
    assert "_team_panels.py:" in result.err
    assert f"'{PROJECT_ONLY}.promql.j2' not found" in result.err
    assert not list((project / "build").rglob("*")), "a failed build wrote something"


#: A user's dashboard with a lint finding: $upstream is defined but nothing uses it.
UNUSED_VARIABLE = """
from _team_panels import inbound_connections

from generator.dashboard import Dashboard, Row
from generator.variables import datasource, service, upstream

UNUSED = Dashboard(
    uid="team-unused",
    title="Team / Unused variable",
    variables=[datasource(), service(), upstream()],
    rows=[Row("Connections", [inbound_connections()])],
)
"""
#: The modules that test the shipped dashboards, and the one that checks every dashboard.
SHIPPED_MODULES = (
    "tests/render/test_render.py",
    "tests/test_schema.py",
    "tests/test_queries.py",
    "tests/promql/test_promql_lint_cli.py",
)
GENERIC_TEST = "test_every_dashboard_of_the_project_is_schema_and_lint_clean"
NOT_SOURCE = shutil.ignore_patterns("__pycache__", "*.pyc")
CLONE_TABLE = "[tool.meshdash]\n"
CLONE_FOLDERS = 'dashboards = "dashboards"\nqueries = "team-queries"\n'


def _clone_settings(pyproject: str) -> str:
    """The repository's pyproject.toml (pytest's settings too) naming the clone's folders.

    Whatever the repository's own `[tool.meshdash]` says: it may name a user's folders.
    """
    head, _, rest = pyproject.partition(CLONE_TABLE)
    _, next_table, tail = rest.partition("\n[")  # the table ends where the next one starts
    return head + CLONE_TABLE + CLONE_FOLDERS + next_table + tail


def test_the_project_tests_pass_beside_a_users_dashboards_and_check_them(tmp_path: Path) -> None:
    """A clone of the project plus the README's files: a helper, a queries folder of one's own.

    Every test of the shipped dashboards passes; the one generic test fails, on the user's
    dashboard that has a lint finding, and on nothing else.
    """
    require_schema_dir(SCHEMA_DIR, os.environ)  # the clone's schema tests must not skip
    clone = tmp_path / "meshdash"
    for folder in ("generator", "queries", "tests"):
        shutil.copytree(ROOT / folder, clone / folder, symlinks=True, ignore=NOT_SOURCE)
    copy_shipped(clone / "dashboards")
    user = lay_out(tmp_path / "user")
    for helper in (user / "dashboards").iterdir():
        shutil.copyfile(helper, clone / "dashboards" / helper.name)
    (clone / "dashboards" / "unused.py").write_text(UNUSED_VARIABLE)
    shutil.copytree(user / "queries", clone / "team-queries")
    (clone / "pyproject.toml").write_text(_clone_settings((ROOT / "pyproject.toml").read_text()))
    (tmp_path / "shared").symlink_to(SCHEMA_DIR.parent)  # the schemas, as beside the repo

    run = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rfE",
         "--junitxml", str(tmp_path / "report.xml"), *SHIPPED_MODULES],
        cwd=clone, capture_output=True, text=True, timeout=600,
    )  # fmt: skip

    cases = ElementTree.parse(tmp_path / "report.xml").getroot().iter("testcase")
    outcome = {c.get("name"): [e.tag for e in c if e.tag != "system-out"] for c in cases}
    broken = {name: tags for name, tags in outcome.items() if tags}
    assert broken == {GENERIC_TEST: ["failure"]}, run.stdout[-3000:]
    assert 'dashboard "Team / Unused variable" variable $upstream' in run.stdout
