""".ci/ensure-chromium (called by `make test`): finds chromium, or says how to get it and carries on."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from tests import test_ci_script
from tests.conftest import ROOT
from tests.test_ci_script import SETPRIV, _bin_dir, shared_tmp  # noqa: F401  (a fixture)

Runner = Callable[[Path], subprocess.CompletedProcess[str]]

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or SETPRIV is None,
    reason="needs root and setpriv to run the script as an unprivileged user",
)


@pytest.fixture
def run_as_nobody(monkeypatch: pytest.MonkeyPatch) -> Runner:
    """The prometheus script's unprivileged runner, pointed at this script."""
    monkeypatch.setattr(test_ci_script, "SCRIPT", ROOT / ".ci" / "ensure-chromium")
    return test_ci_script._run_as_nobody


def test_without_root_or_chromium_it_says_how_and_does_not_fail_the_tests(
    shared_tmp: Path,  # noqa: F811
    run_as_nobody: Runner,
) -> None:
    result = run_as_nobody(_bin_dir(shared_tmp, ["id"]))
    assert result.returncode == 0
    assert "sudo apt-get install chromium" in result.stderr
    assert "skipped" in result.stderr


@pytest.mark.skipif(shutil.which("chromium") is None, reason="Debian's chromium is not installed")
def test_with_chromium_it_installs_nothing(
    shared_tmp: Path,  # noqa: F811
    run_as_nobody: Runner,
) -> None:
    result = run_as_nobody(_bin_dir(shared_tmp, ["id", "chromium"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
