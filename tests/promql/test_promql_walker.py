"""The one walker of dashboard JSON, and each caller seeing the same panels through it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.preview.choose import choose
from generator.preview.layout import layout
from generator.promql.dashboard import iter_panels, iter_targets, panels_with_rows, walk_panels
from generator.validate.resolve import Resolution, parse_variables


def _p(title: str, **extra: Any) -> dict[str, Any]:
    return {"type": "timeseries", "title": title, **extra}


def _row(title: str, *inner: Any, collapsed: bool = False) -> dict[str, Any]:
    return {"type": "row", "title": title, "collapsed": collapsed, "panels": list(inner)}


# the dashboard's panels; (title, title of its row or None) in the order the walker yields them
WALKS = {
    "no panels": ([], []),
    "panels key missing": (None, []),
    "above the first row, then open rows": (
        [_p("A"), _row("R1"), _p("B"), _p("C"), _row("R2"), _p("D")],
        [("A", None), ("R1", None), ("B", "R1"), ("C", "R1"), ("R2", None), ("D", "R2")],
    ),
    "collapsed rows hold their panels": (
        [_row("R1", _p("B"), collapsed=True), _row("R2", _p("C"), _p("D"), collapsed=True)],
        [("R1", None), ("B", "R1"), ("R2", None), ("C", "R2"), ("D", "R2")],
    ),
    "an empty collapsed row, then an open one": (
        [_row("R1", collapsed=True), _row("R2"), _p("A")],
        [("R1", None), ("R2", None), ("A", "R2")],
    ),
    "junk entries are skipped": (
        [None, "text", 3, _p("A"), _row("R", None, ["x"], _p("B"), collapsed=True), []],
        [("A", None), ("R", None), ("B", "R")],
    ),
}


@pytest.mark.parametrize(("panels", "expected"), WALKS.values(), ids=WALKS.keys())
def test_the_walker_yields_every_panel_with_its_row(
    panels: list[Any] | None, expected: list[tuple[str, str | None]]
) -> None:
    dashboard = {"uid": "d"} if panels is None else {"uid": "d", "panels": panels}
    walked = [(p["title"], row["title"] if row else None) for p, row in walk_panels(dashboard)]
    assert walked == expected
    not_rows = [(t, r) for t, r in expected if not t.startswith("R")]
    with_rows = [
        (p["title"], row["title"] if row else None) for p, row in panels_with_rows(dashboard)
    ]
    assert with_rows == not_rows
    assert [p["title"] for p in iter_panels(dashboard)] == [t for t, _ in not_rows]
    assert [p["title"] for p in iter_panels(dashboard, rows=True)] == [t for t, _ in expected]


def test_targets_are_found_in_collapsed_rows_and_junk_targets_skipped() -> None:
    targets: list[Any] = [
        "expr",
        None,
        {"refId": "A", "expr": "up"},
        {"expr": "down", "hide": True},
    ]
    dashboard = {
        "panels": [
            _p("A", targets=targets),
            _row("R", _p("B", targets=[{"expr": "x"}]), collapsed=True),
        ]
    }
    found = [(ref.panel_title, ref.ref_id, ref.expr) for ref in iter_targets(dashboard)]
    assert found == [("A", "A", "up"), ("B", "A", "x")]


DEFINITION = """\
from generator.dashboard import Dashboard, Row
from generator.panels.common import target, timeseries


def panel(title):
    return timeseries(title=title, description="d", unit="short", targets=[target("up", legend="{{job}}")])


D = Dashboard(uid="folded", title="Folded", rows=[
    Row("Open", [panel("Shown")]),
    Row("Folded away", [panel("Inside")], collapsed=True),
])
"""


def test_list_shows_a_collapsed_rows_panels_under_it(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "folded.py").write_text(DEFINITION)
    result = run_cli("list", "--dashboards", str(tmp_path))
    assert result.exit_code == 0, result.err
    lines = [line.strip() for line in result.out.splitlines() if line.startswith("  ")]
    headings = [line for line in lines if line.startswith(("row:", "["))]
    assert headings == [
        "row: Open",
        "[timeseries] Shown",
        "row: Folded away",
        "[timeseries] Inside",
    ]


def test_lint_finds_a_problem_in_a_collapsed_row_among_junk(run_cli: Any, tmp_path: Path) -> None:
    bad = _p(
        "Hidden",
        targets=[{"refId": "A", "expr": "sum(rate(envoy_cluster_upstream_rq_total[5m])"}],
        datasource={"type": "prometheus", "uid": "prom"},
    )
    dashboard = {
        "uid": "junk",
        "title": "Junk",
        "panels": [None, "note", _row("R", 7, bad, collapsed=True)],
    }
    path = tmp_path / "junk.json"
    path.write_text(json.dumps(dashboard))
    result = run_cli("lint", "--format", "json", "--from", str(path))
    assert result.exit_code == 1, result.err
    problems = json.loads(result.out)
    found = {(p["code"], p["location"].get("panel_title")) for p in problems}
    assert ("MD101", "Hidden") in found


def test_preview_places_a_collapsed_rows_panels_below_it_and_skips_junk() -> None:
    grid = {"x": 0, "w": 24}
    dashboard = {
        "uid": "d",
        "templating": {"list": []},
        "panels": [
            _p("A", gridPos={**grid, "y": 0, "h": 4}),
            "junk",
            _row("R", _p("B", gridPos={**grid, "y": 5, "h": 3}), collapsed=True)
            | {"gridPos": {**grid, "y": 4, "h": 1}},
        ],
    }
    choices = choose(dashboard, Resolution(parse_variables(dashboard), assignments=[]), {})
    placed = [(p.title, p.y, p.h) for p in layout(dashboard, choices).panels]
    assert placed == [("A", 0, 4), ("R", 4, 1), ("B", 5, 3)]
