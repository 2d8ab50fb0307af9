""".ci/ensure-prometheus: finds the binaries, or says how to install them without root."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import ROOT

SCRIPT = ROOT / ".ci" / "ensure-prometheus"
SETPRIV = shutil.which("setpriv")

pytestmark = pytest.mark.skipif(
    os.geteuid() != 0 or SETPRIV is None,
    reason="needs root and setpriv to run the script as an unprivileged user",
)


def _run_as_nobody(path_dir: Path) -> subprocess.CompletedProcess[str]:
    """Run a copy of the script (the checkout may not be readable by others)."""
    script = path_dir.parent / SCRIPT.name
    shutil.copy(SCRIPT, script)
    script.chmod(0o755)
    return subprocess.run(
        [SETPRIV, "--reuid=65534", "--regid=65534", "--clear-groups",
         "/usr/bin/env", "-i", f"PATH={path_dir}", "/bin/bash", str(script)],
        capture_output=True, text=True, timeout=30, check=False,
    )  # fmt: skip


@pytest.fixture
def shared_tmp() -> Iterator[Path]:
    """A folder the unprivileged user can reach (pytest's tmp_path is root-only)."""
    folder = Path(tempfile.mkdtemp(prefix="meshdash-ci-"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder)


def _bin_dir(base: Path, tools: list[str]) -> Path:
    folder = base / "bin"
    folder.mkdir(mode=0o755)
    for tool in tools:
        found = shutil.which(tool)
        assert found, tool
        (folder / tool).symlink_to(found)
    return folder


def test_without_root_and_binaries_it_says_how_to_install(shared_tmp: Path) -> None:
    result = _run_as_nobody(_bin_dir(shared_tmp, ["id"]))
    assert result.returncode == 2
    assert "sudo apt-get install prometheus" in result.stderr


def test_with_both_binaries_it_installs_nothing(shared_tmp: Path) -> None:
    result = _run_as_nobody(_bin_dir(shared_tmp, ["id", "prometheus", "promtool"]))
    assert result.returncode == 0, result.stderr
    assert result.stdout == "" and result.stderr == ""
