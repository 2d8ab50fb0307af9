"""`meshdash build` streams: one definition file's objects at a time, and still all or nothing."""

from __future__ import annotations

import importlib.util
import json
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from generator.outputs.built import BuiltDashboard
from generator.outputs.staging import STAGING_NAME

TRACKER = """
import weakref

refs = []  # (definition file, weak reference to one of its dashboards)
others_alive = []  # per dashboard created: the other files whose dashboards were still alive


def track(dashboard, file):
    others_alive.append(sorted({f for f, ref in refs if f != file and ref() is not None}))
    refs.append((file, weakref.ref(dashboard)))
    return dashboard
"""

DEFINITION = """
from _tracker import track
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

ONE = track(Dashboard(uid="{stem}-1", title="{stem} one", variables=[datasource(), service()],
                      rows=[Row("r", [http.downstream_request_rate()])]), __file__)
TWO = track(Dashboard(uid="{stem}-2", title="{stem} two", variables=[datasource(), service()],
                      rows=[Row("r", [http.downstream_success_ratio()])]), __file__)
"""

STEMS = ("a", "b", "c", "d")


@pytest.fixture
def tracked(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Definitions that record, as each dashboard is made, which other files' are alive.

    The test imports the tracker first, so the build finds it in sys.modules, keeps it
    afterwards, and the test reads what it recorded.
    """
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    (dashboards / "_tracker.py").write_text(TRACKER)
    for stem in STEMS:
        (dashboards / f"{stem}.py").write_text(DEFINITION.format(stem=stem))
    spec = importlib.util.spec_from_file_location("_tracker", dashboards / "_tracker.py")
    assert spec is not None and spec.loader is not None
    tracker = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tracker)
    monkeypatch.setitem(sys.modules, "_tracker", tracker)
    return dashboards, tracker


def test_a_file_is_released_before_the_next_one_loads(run_cli, tracked, tmp_path) -> None:
    dashboards, tracker = tracked
    out = tmp_path / "out"

    result = run_cli("build", "--dashboards", str(dashboards), "--out", str(out))

    assert result.exit_code == 0, result.err
    assert len(tracker.refs) == 2 * len(STEMS)  # every dashboard was tracked
    assert tracker.others_alive == [[]] * (2 * len(STEMS))
    built = sorted(p.name for p in out.glob("*.json"))
    assert built == sorted(f"{stem}-{n}.json" for stem in STEMS for n in (1, 2))


def test_a_check_run_streams_too(run_cli, tracked, tmp_path) -> None:
    dashboards, tracker = tracked
    out = tmp_path / "out"
    assert run_cli("build", "--dashboards", str(dashboards), "--out", str(out)).exit_code == 0
    tracker.refs.clear()
    tracker.others_alive.clear()

    result = run_cli("build", "--check", "--dashboards", str(dashboards), "--out", str(out))

    assert result.exit_code == 0, result.err
    assert "8 dashboard(s)" in result.out
    assert tracker.others_alive == [[]] * (2 * len(STEMS))


# A last file that fails in each way a streaming build meets late: at import, in the
# uid check against an earlier file, in the title check against an earlier file.
LATE_FAILURES = {
    "import": ("raise RuntimeError('late')\n", "zz.py:1: RuntimeError: late"),
    "uid of an earlier file": (
        DEFINITION.format(stem="a"),
        "zz.py: dashboard 'a one' reuses uid 'a-1'",
    ),
    "title of an earlier file": (
        DEFINITION.format(stem="a").replace('uid="a-', 'uid="z-'),
        "zz.py: dashboard 'z-2' has the title 'a two' of 'a-2'",
    ),
}


@pytest.mark.parametrize("case", sorted(LATE_FAILURES))
def test_a_build_failing_on_the_last_file_leaves_the_outputs_as_they_were(
    run_cli, tracked, tmp_path, case
) -> None:
    dashboards, _ = tracked
    out = tmp_path / "out"
    assert run_cli("build", "--dashboards", str(dashboards), "--out", str(out)).exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    # Earlier files change (their outputs get staged), one is gone, then the last file fails.
    for stem in ("a", "b"):
        path = dashboards / f"{stem}.py"
        path.write_text(path.read_text().replace(" one", " first"))
    (dashboards / "d.py").unlink()
    source, expected = LATE_FAILURES[case]
    (dashboards / "zz.py").write_text(source)

    result = run_cli("build", "--no-cache", "--dashboards", str(dashboards), "--out", str(out))

    assert result.exit_code == 2
    assert expected in result.err, result.err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before  # no staging folder either


def test_a_first_build_that_fails_leaves_no_output_folder(run_cli, tracked, tmp_path) -> None:
    dashboards, _ = tracked
    (dashboards / "zz.py").write_text(LATE_FAILURES["import"][0])
    out = tmp_path / "out"

    result = run_cli("build", "--dashboards", str(dashboards), "--out", str(out))

    assert result.exit_code == 2
    assert not out.exists()


def test_a_killed_builds_staging_folder_is_cleared(run_cli, tracked, tmp_path) -> None:
    dashboards, _ = tracked
    out = tmp_path / "out"
    (out / STAGING_NAME).mkdir(parents=True)
    (out / STAGING_NAME / "a-1.json.staged").write_text("{}")

    result = run_cli("build", "--dashboards", str(dashboards), "--out", str(out))

    assert result.exit_code == 0, result.err
    assert not (out / STAGING_NAME).exists()
    assert '"uid": "a-1"' in (out / "a-1.json").read_text()


def test_a_dashboards_text_is_made_once_and_afresh_for_new_data(tmp_path) -> None:
    item = BuiltDashboard("u", "T", None, tmp_path / "u.py", {"uid": "u", "n": 1})
    first = item.text()

    changed = replace(item, data={"uid": "u", "n": 2})

    assert item.text() is first  # kept, not made again
    assert json.loads(changed.text()) == {"uid": "u", "n": 2}
