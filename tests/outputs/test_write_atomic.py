"""Output files are replaced whole or not at all, and an unchanged file is not touched.

Both writers are held to it: `files.write_atomic` (provisioning files, ConfigMaps, the
manifest, previews) and the build's staged dashboard files. The failed write is real: the
write runs in a child process whose file-size limit (RLIMIT_FSIZE) is too small for the
new file, so the kernel refuses it (EFBIG) the way a full disk would.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from generator.outputs.files import write_atomic
from tests.conftest import ROOT

DEFINITION = """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

D = Dashboard(uid="team", title="Team", variables=[datasource(), service()],
              rows=[Row("r", [http.downstream_request_rate() for _ in range({panels})])])
"""
# The build, run under a file-size limit: SIGXFSZ is ignored so the write fails with
# EFBIG instead of killing the process.
LIMITED_BUILD = """
import resource, signal, sys
from generator.cli import main
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), hard))
sys.exit(main(sys.argv[2:]))
"""


# write_atomic itself (provisioning files, ConfigMaps, the manifest, previews), the same way.
LIMITED_WRITE = """
import resource, signal, sys
from pathlib import Path
from generator.errors import OutputError
from generator.outputs.files import write_atomic
signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
hard = resource.getrlimit(resource.RLIMIT_FSIZE)[1]
resource.setrlimit(resource.RLIMIT_FSIZE, (int(sys.argv[1]), hard))
try:
    write_atomic(Path(sys.argv[2]), "x" * 4 * int(sys.argv[1]))
except OutputError as exc:
    sys.exit(str(exc))
"""


def _limited(script: str, limit: int, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `script` with generator from this checkout and files capped at `limit` bytes."""
    command = [sys.executable, "-c", script, str(limit), *args]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=120)


def _define(folder: Path, panels: int) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / "team.py").write_text(DEFINITION.format(panels=panels))
    return folder


def _build(run_cli, dashboards: Path, out: Path):
    return run_cli("build", "--dashboards", str(dashboards), "--out", str(out), "--no-cache")


def test_a_reader_of_the_old_file_keeps_all_of_it(tmp_path: Path) -> None:
    """Replaced by a rename, not rewritten in place: a hard link (like a reader holding
    the file open) still sees the whole old content, the path the whole new one."""
    path = tmp_path / "d.json"
    path.write_text("old content\n")
    os.link(path, tmp_path / "reader")

    write_atomic(path, "new content\n")

    assert (tmp_path / "reader").read_text() == "old content\n"
    assert path.read_text() == "new content\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["d.json", "reader"]


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE/SIGXFSZ as Linux has them")
def test_a_failed_write_keeps_the_old_file_whole_and_leaves_no_temporary_file(
    run_cli, tmp_path: Path
) -> None:
    dashboards, out = _define(tmp_path / "dashboards", panels=1), tmp_path / "out"
    assert _build(run_cli, dashboards, out).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    small = len(before["team.json"])
    _define(dashboards, panels=12)  # a file several times the limit below
    build_args = ["build", "--dashboards", str(dashboards), "--out", str(out), "--no-cache"]

    child = _limited(LIMITED_BUILD, small + 100, *build_args)

    assert child.returncode == 2, child.stderr
    assert (
        child.stderr.strip() == f"meshdash: error: cannot write {out / 'team.json'}: File too large"
    )
    after = {p.name: p.read_bytes() for p in out.iterdir()}
    assert after == before  # no half-written file, no temporary file left behind


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_FSIZE/SIGXFSZ as Linux has them")
def test_a_failed_atomic_write_keeps_the_old_file_and_removes_its_temporary_file(
    tmp_path: Path,
) -> None:
    path = tmp_path / "provider.yaml"
    path.write_text("old content\n")

    child = _limited(LIMITED_WRITE, 4096, str(path))

    assert child.returncode == 1, child.stderr
    assert child.stderr.strip() == f"cannot write {path}: File too large"
    assert [p.name for p in tmp_path.iterdir()] == ["provider.yaml"]
    assert path.read_text() == "old content\n"


def test_a_rebuild_does_not_touch_an_identical_file(run_cli, tmp_path: Path) -> None:
    dashboards, out = _define(tmp_path / "dashboards", panels=1), tmp_path / "out"
    assert _build(run_cli, dashboards, out).exit_code == 0
    path = out / "team.json"
    before = path.stat()

    again = _build(run_cli, dashboards, out)

    assert again.exit_code == 0
    assert f"unchanged {path}" in again.out
    after = path.stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)
