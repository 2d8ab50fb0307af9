"""The project's .gitignore ignores its tool folders also when they are symlinks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import ROOT

#: folders a setup may link elsewhere (a shared virtualenv, build output on a tmpfs)
LINKABLE = (".venv", "build", "dist", "bench/work", "meshdash.egg-info")


def _ignored(repo: Path, *paths: str) -> set[str]:
    result = subprocess.run(
        ["git", "check-ignore", "--no-index", *paths],
        cwd=repo,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode in (0, 1), result.stderr
    return set(result.stdout.splitlines())


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    shutil.copyfile(ROOT / ".gitignore", tmp_path / ".gitignore")
    (tmp_path / "bench").mkdir()
    (tmp_path / "dashboards").mkdir()
    return tmp_path


def test_symlinked_tool_folders_are_ignored(
    repo: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    target = tmp_path_factory.mktemp("elsewhere")
    for name in LINKABLE:
        (repo / name).symlink_to(target, target_is_directory=True)
    assert _ignored(repo, *LINKABLE) == set(LINKABLE)


def test_the_users_files_are_not_ignored(repo: Path) -> None:
    (repo / "dashboards" / "team.py").write_text("")
    (repo / "bench" / "__init__.py").write_text("")
    assert _ignored(repo, "dashboards/team.py", "bench/__init__.py", "README.md") == set()
