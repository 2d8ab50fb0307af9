"""The background file writer: every file written, in full, errors raised where the build sees them."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.outputs import writer as writer_module
from generator.outputs.built import BuiltDashboard
from generator.outputs.staging import StagedOutputs
from generator.outputs.writer import FileWriter


def test_every_queued_file_is_written_in_full(tmp_path: Path) -> None:
    files = FileWriter(limit=2)
    payloads = {f"f{i}.staged": bytes([i % 251]) * (1000 + i * 997) for i in range(20)}

    for name, data in payloads.items():
        files.write(str(tmp_path / name), data, name)
    files.finish()

    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == payloads


def test_a_failed_write_is_raised_naming_the_output(tmp_path: Path) -> None:
    files = FileWriter()
    files.write(str(tmp_path / "missing-folder" / "a.staged"), b"{}", "out/a.json")

    with pytest.raises(OutputError, match=r"cannot write out/a\.json: No such file"):
        files.finish()


def test_an_existing_file_is_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "a.staged").write_bytes(b"kept")
    files = FileWriter()
    files.write(str(tmp_path / "a.staged"), b"new", "out/a.json")

    with pytest.raises(OutputError, match=r"cannot write out/a\.json: File exists"):
        files.finish()
    assert (tmp_path / "a.staged").read_bytes() == b"kept"


def test_a_full_queue_raises_an_earlier_error_at_the_next_write(tmp_path: Path) -> None:
    files = FileWriter(limit=1)
    files.write(str(tmp_path / "nope" / "a.staged"), b"{}", "out/a.json")

    with pytest.raises(OutputError, match=r"out/a\.json"):
        files.write(str(tmp_path / "b.staged"), b"{}", "out/b.json")
    files.close()


def test_at_most_limit_files_wait(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build hands over a file only when fewer than `limit` wait: memory stays flat."""
    release = threading.Event()
    real = writer_module.write_new

    def slow(staged: str, data: bytes, shown: str) -> None:
        release.wait(timeout=10)
        real(staged, data, shown)

    monkeypatch.setattr(writer_module, "write_new", slow)
    files = FileWriter(limit=3)
    for i in range(3):
        files.write(str(tmp_path / f"{i}.staged"), b"x", str(i))
    blocked = threading.Thread(
        target=files.write, args=(str(tmp_path / "3.staged"), b"x", "3"), daemon=True
    )
    blocked.start()
    blocked.join(timeout=0.2)
    assert blocked.is_alive()  # the fourth waits for room

    release.set()
    blocked.join(timeout=10)
    files.finish()
    assert sorted(p.name for p in tmp_path.iterdir()) == [f"{i}.staged" for i in range(4)]


def test_close_drops_what_was_not_started(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    started, release = threading.Event(), threading.Event()
    real = writer_module.write_new

    def slow(staged: str, data: bytes, shown: str) -> None:
        started.set()
        release.wait(timeout=10)
        real(staged, data, shown)

    monkeypatch.setattr(writer_module, "write_new", slow)
    files = FileWriter(limit=5)
    for i in range(3):
        files.write(str(tmp_path / f"{i}.staged"), b"x", str(i))
    assert started.wait(timeout=10)
    threading.Timer(0.1, release.set).start()

    files.close()  # returns once the file being written is complete

    assert sorted(p.name for p in tmp_path.iterdir()) == ["0.staged"]
    assert (tmp_path / "0.staged").read_bytes() == b"x"


def test_a_build_whose_write_fails_leaves_the_outputs_as_they_were(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    for stem in ("a", "b", "c"):
        (dashboards / f"{stem}.py").write_text(DEFINITION.format(stem=stem, title=stem))
    out = tmp_path / "out"
    assert run_cli("build", "--dashboards", str(dashboards), "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    for stem in ("a", "b", "c"):
        (dashboards / f"{stem}.py").write_text(DEFINITION.format(stem=stem, title=stem + "!"))
    real = writer_module.write_new

    def failing_on_b(staged: str, data: bytes, shown: str) -> None:
        if shown.endswith("b.json"):
            raise OutputError(f"cannot write {shown}: No space left on device")
        real(staged, data, shown)

    monkeypatch.setattr(writer_module, "write_new", failing_on_b)

    result = run_cli("build", "--dashboards", str(dashboards), "--out", str(out))

    assert result.exit_code != 0
    assert "cannot write" in result.err and "b.json: No space left on device" in result.err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging folder either


DEFINITION = """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

BOARD = Dashboard(uid="{stem}", title="{title}", variables=[datasource(), service()],
                  rows=[Row("r", [http.downstream_request_rate()])])
"""


def test_a_foreign_file_appearing_during_a_build_is_refused_and_kept(tmp_path: Path) -> None:
    """The build lists its folder once; a file put there afterwards is still never overwritten."""
    out = tmp_path / "out"
    out.mkdir()
    staged = StagedOutputs(out)
    try:
        (out / "late.json").write_text("{}\n")  # after the listing, before the dashboard
        data = {"uid": "late", "title": "Late", "tags": ["meshdash"], "panels": []}
        staged.add(BuiltDashboard("late", "Late", None, tmp_path / "late.py", data))
        with pytest.raises(OutputError, match="meshdash did not write it"):
            staged.commit()
    finally:
        staged.discard()
    assert (out / "late.json").read_text() == "{}\n"
    assert sorted(p.name for p in out.iterdir()) == ["late.json"]
