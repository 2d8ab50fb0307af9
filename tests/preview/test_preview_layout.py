"""Variable choices and the grid, on small dashboards written here (no Prometheus needed)."""

from __future__ import annotations

from typing import Any

import pytest

from generator.errors import ConfigError
from generator.preview.choose import choose
from generator.preview.layout import layout
from generator.validate.resolve import Resolution, parse_variables


def _var(name: str, query: str, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": "query", "query": query, "multi": True, "includeAll": True,
            "allValue": ".+", **extra}  # fmt: skip


def _dashboard(**service_extra: Any) -> dict[str, Any]:
    return {
        "uid": "demo",
        "templating": {"list": [
            _var("service", "up", **service_extra),
            _var("upstream", 'up{src=~"$service"}', repeat=None),
        ]},
        "panels": [
            {"type": "row", "title": "In $service", "gridPos": {"x": 0, "y": 0, "w": 24, "h": 1}},
            {"type": "stat", "title": "A", "gridPos": {"x": 0, "y": 1, "w": 12, "h": 4}},
            {"type": "row", "title": "To $upstream", "repeat": "upstream",
             "gridPos": {"x": 0, "y": 5, "w": 24, "h": 1}},
            {"type": "timeseries", "title": "B $upstream", "gridPos": {"x": 0, "y": 6, "w": 12, "h": 8}},
            {"type": "timeseries", "title": "C", "gridPos": {"x": 12, "y": 6, "w": 12, "h": 8}},
            {"type": "row", "title": "End", "gridPos": {"x": 0, "y": 14, "w": 24, "h": 1}},
            {"type": "stat", "title": "D", "gridPos": {"x": 0, "y": 15, "w": 24, "h": 3}},
        ],
    }  # fmt: skip


def _resolution(dashboard: dict[str, Any]) -> Resolution:
    """What validate's resolver finds: api calls payments and currency, web calls api."""
    pairs = [("api", "currency"), ("api", "payments"), ("web", "api")]
    return Resolution(
        parse_variables(dashboard),
        assignments=[{"service": s, "upstream": u} for s, u in pairs],
    )


def test_defaults_are_all_and_a_repeated_row_is_copied_per_value() -> None:
    dashboard = _dashboard()
    choices = choose(dashboard, _resolution(dashboard), {})
    assert choices["service"].all_selected and choices["service"].values == ("api", "web")
    assert choices["upstream"].values == ("currency", "payments", "api")
    grid = layout(dashboard, choices)
    placed = [(p.title, p.x, p.y, p.w, p.h) for p in grid.panels]
    assert placed == [
        ("In All", 0, 0, 24, 1),
        ("A", 0, 1, 12, 4),
        ("To currency", 0, 5, 24, 1),
        ("B currency", 0, 6, 12, 8),
        ("C", 12, 6, 12, 8),
        ("To payments", 0, 14, 24, 1),
        ("B payments", 0, 15, 12, 8),
        ("C", 12, 15, 12, 8),
        ("To api", 0, 23, 24, 1),
        ("B api", 0, 24, 12, 8),
        ("C", 12, 24, 12, 8),
        ("End", 0, 32, 24, 1),
        ("D", 0, 33, 24, 3),
    ]
    assert grid.height == 36
    copy = grid.panels[6]
    assert copy.selection["upstream"].values == ("payments",)
    assert copy.repeat == (("upstream", "payments"),)


def test_a_chosen_value_narrows_the_chained_variable() -> None:
    dashboard = _dashboard()
    choices = choose(dashboard, _resolution(dashboard), {"service": ("web",)})
    assert choices["service"].values == ("web",) and not choices["service"].all_selected
    assert choices["upstream"].values == ("api",)
    assert layout(dashboard, choices).height == 5 + 9 + 4


def test_the_saved_current_value_is_the_default_while_it_is_an_option() -> None:
    dashboard = _dashboard(current={"text": ["web"], "value": ["web"]})
    assert choose(dashboard, _resolution(dashboard), {})["service"].values == ("web",)
    stale = _dashboard(current={"text": ["gone"], "value": ["gone"]})
    assert choose(stale, _resolution(stale), {})["service"].all_selected


def test_without_all_the_default_is_the_first_option() -> None:
    dashboard = _dashboard(includeAll=False)
    choice = choose(dashboard, _resolution(dashboard), {})["service"]
    assert choice.values == ("api",) and not choice.all_selected


def test_a_value_that_is_not_an_option_names_the_options() -> None:
    dashboard = _dashboard()
    with pytest.raises(ConfigError, match=r"demo: service=db .*\(its values: api, web\)") as caught:
        choose(dashboard, _resolution(dashboard), {"service": ("db",)})
    assert caught.value.setting == "variables" and "--" not in str(caught.value)


def _repeated_panel_dashboard(direction: str, max_per_row: int | None = None) -> dict[str, Any]:
    repeated = {"type": "stat", "title": "To $upstream", "repeat": "upstream",
                "repeatDirection": direction, "gridPos": {"x": 0, "y": 0, "w": 6, "h": 4}}  # fmt: skip
    if max_per_row:
        repeated["maxPerRow"] = max_per_row
    return {
        "uid": "demo",
        "templating": {"list": [_var("service", "up"), _var("upstream", 'up{src=~"$service"}')]},
        "panels": [
            repeated,
            {"type": "stat", "title": "Beside", "gridPos": {"x": 12, "y": 0, "w": 12, "h": 4}},
            {"type": "stat", "title": "Below", "gridPos": {"x": 0, "y": 4, "w": 24, "h": 2}},
        ],
    }  # fmt: skip


@pytest.mark.parametrize(
    ("direction", "max_per_row", "expected"),
    [
        # Three values side by side: 8 columns each (24 / 3), one line.
        ("h", None, [(0, 0, 8), (8, 0, 8), (16, 0, 8)]),
        # At most two per line: 12 columns each, the third on a second line.
        ("h", 2, [(0, 0, 12), (12, 0, 12), (0, 4, 12)]),
        # Stacked: same width, one under the other.
        ("v", None, [(0, 0, 6), (0, 4, 6), (0, 8, 6)]),
    ],
)
def test_a_repeated_panel_is_copied_per_value_and_pushes_what_is_below(
    direction: str, max_per_row: int | None, expected: list[tuple[int, int, int]]
) -> None:
    dashboard = _repeated_panel_dashboard(direction, max_per_row)
    grid = layout(dashboard, choose(dashboard, _resolution(dashboard), {}))
    copies = [p for p in grid.panels if p.repeat]
    assert [(p.x, p.y, p.w) for p in copies] == expected
    assert [p.title for p in copies] == ["To currency", "To payments", "To api"]
    assert [p.selection["upstream"].values for p in copies] == [
        ("currency",),
        ("payments",),
        ("api",),
    ]
    below = next(p for p in grid.panels if p.title == "Below")
    lowest = max(y for _, y, _ in expected)
    assert below.y == lowest + 4
    assert grid.height == below.y + 2
    if direction == "v":  # a panel on the same line stays (side by side copies overlap it)
        assert next(p for p in grid.panels if p.title == "Beside").y == 0
