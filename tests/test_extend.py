"""The "SRE extends the library" path beyond the README's happy path (tests/test_readme.py).

Each test works in a project of its own (tests/readme_examples.py lays out the README's
files), never in the repository's folders or under its settings.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from tests.readme_examples import lay_out

TEMPLATE = "team/inbound_connections.promql.j2"


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(lay_out(tmp_path / "project"))
    return tmp_path / "project"


def test_custom_template_is_not_found_without_its_folder(run_cli: Any, project: Path) -> None:
    shutil.rmtree(project / "queries")

    result = run_cli("build")

    assert result.exit_code == 2
    assert "_team_panels.py:" in result.err and f"'{TEMPLATE}' not found" in result.err
    assert not (project / "build").exists()
