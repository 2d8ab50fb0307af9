"""Units as axes and stats print them; colours from overrides and thresholds."""

from __future__ import annotations

import math

import pytest

from tests.preview.conftest import NEEDS_MATPLOTLIB

pytest.importorskip("matplotlib", reason=NEEDS_MATPLOTLIB)

from generator.preview.colors import NAMED, PALETTE, series_color, threshold_color
from generator.preview.units import format_value

CASES = [
    (12.5, "reqps", "12.5 req/s"),
    (0.125, "reqps", "0.125 req/s"),
    (2500, "reqps", "2.5 k req/s"),
    (58.7, "ms", "58.7 ms"),
    (1500, "ms", "1.5 s"),
    (0.5, "ms", "500 µs"),
    (0.992, "percentunit", "99.2%"),
    (42, "percent", "42%"),
    (1536, "bytes", "1.5 KiB"),
    (3 * 2**30, "bytes", "3 GiB"),
    (1500, "decbytes", "1.5 kB"),
    (0, "short", "0"),
    (math.nan, "ms", "NaN"),
    (7, "widgets", "7 widgets"),
]


@pytest.mark.parametrize(("value", "unit", "shown"), CASES)
def test_format_value(value: float, unit: str, shown: str) -> None:
    assert format_value(value, unit) == shown


def test_decimals_are_honoured() -> None:
    assert format_value(0.12345, "percentunit", 2) == "12.35%"


def _panel(**field_config: object) -> dict[str, object]:
    return {"fieldConfig": {"defaults": {}, "overrides": [], **field_config}}


def test_a_fixed_colour_override_by_name_wins_over_the_palette() -> None:
    override = {"matcher": {"id": "byName", "options": "payments 503"},
                "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]}  # fmt: skip
    panel = _panel(overrides=[override])
    assert series_color(panel, "payments 503", 0) == NAMED["red"]
    assert series_color(panel, "payments 200", 1) == PALETTE[1]


def test_a_regexp_override_matches_by_search() -> None:
    override = {"matcher": {"id": "byRegexp", "options": "/5\\d\\d/"},
                "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "#123456"}}]}  # fmt: skip
    assert series_color(_panel(overrides=[override]), "payments 503", 0) == "#123456"


def test_the_threshold_colour_is_the_highest_step_reached() -> None:
    steps = [{"color": "green", "value": None}, {"color": "orange", "value": 0.01},
             {"color": "semi-dark-red", "value": 0.05}]  # fmt: skip
    panel = _panel(defaults={"thresholds": {"mode": "absolute", "steps": steps}})
    assert threshold_color(panel, 0.001) == NAMED["green"]
    assert threshold_color(panel, 0.01) == NAMED["orange"]
    assert threshold_color(panel, 0.2) == NAMED["semi-dark-red"]


def test_percentage_thresholds_are_percent_of_the_fields_range() -> None:
    steps = [{"color": "green", "value": None}, {"color": "red", "value": 80}]
    thresholds = {"mode": "percentage", "steps": steps}
    panel = _panel(defaults={"thresholds": thresholds, "min": 0, "max": 500})
    assert threshold_color(panel, 350) == NAMED["green"]  # 70 %
    assert threshold_color(panel, 450) == NAMED["red"]  # 90 %
    unset = _panel(defaults={"thresholds": thresholds})
    assert threshold_color(unset, 9, bounds=(0, 10)) == NAMED["red"]
    assert threshold_color(unset, 7, bounds=(0, 10)) == NAMED["green"]
