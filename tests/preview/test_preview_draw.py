"""Drawing by panel type, from data given here: what each panel shows comes back as Drawn."""

from __future__ import annotations

import math
from typing import Any

import pytest

from tests.preview.conftest import NEEDS_MATPLOTLIB

pytest.importorskip("matplotlib", reason=NEEDS_MATPLOTLIB)

from generator.preview.colors import NAMED, PALETTE
from generator.preview.draw import NO_DATA, Drawn, draw_dashboard
from generator.preview.fetch import PanelData, SeriesData
from generator.preview.layout import Layout, Placed

TIMES = (1000.0, 1015.0, 1030.0)


def _series(name: str, values: tuple[float, ...], **labels: str) -> SeriesData:
    return SeriesData(name, "A", labels, TIMES[: len(values)], values)


def _draw(
    panel: dict[str, Any], series: list[SeriesData], errors: list[str] | None = None
) -> Drawn:
    placed = Placed(panel, panel["title"], 0, 0, 12, 8, {})
    data = PanelData(placed, (TIMES[0], TIMES[-1]), series, [], errors or [])
    png, drawn = draw_dashboard(Layout((placed,), 8), [data])
    assert png.startswith(b"\x89PNG")
    assert len(drawn) == 1
    return drawn[0]


def _panel(kind: str, **extra: Any) -> dict[str, Any]:
    defaults = extra.pop("defaults", {})
    overrides = extra.pop("overrides", [])
    return {
        "type": kind,
        "title": f"A {kind}",
        "fieldConfig": {"defaults": defaults, "overrides": overrides},
        **extra,
    }


def test_time_series_lines_carry_the_values_and_override_colours() -> None:
    red = {"matcher": {"id": "byName", "options": "503"},
           "properties": [{"id": "color", "value": {"mode": "fixed", "fixedColor": "red"}}]}  # fmt: skip
    drawn = _draw(_panel("timeseries", overrides=[red]),
                  [_series("200", (5.0, 6.0, 7.0)), _series("503", (1.0, 2.0, 3.0))])  # fmt: skip
    assert drawn.series == {"200": [5.0, 6.0, 7.0], "503": [1.0, 2.0, 3.0]}
    assert drawn.colors["503"].lower() == NAMED["red"].lower()
    assert drawn.colors["200"].lower() == PALETTE[0].lower()


def test_stat_reduces_and_takes_its_threshold_colour() -> None:
    steps = [{"color": "green", "value": None}, {"color": "red", "value": 0.05}]
    panel = _panel("stat", defaults={"unit": "percentunit", "thresholds": {"steps": steps}},
                   options={"reduceOptions": {"calcs": ["max"]}})  # fmt: skip
    drawn = _draw(panel, [_series("payments", (0.01, 0.2, 0.03)), _series("api", (0.01, 0.02))])
    assert drawn.series == {"payments": [0.2], "api": [0.02]}
    assert drawn.colors == {"payments": NAMED["red"], "api": NAMED["green"]}


def test_table_shows_each_series_last_value() -> None:
    drawn = _draw(
        _panel("table"), [_series("a", (1.0, 2.0), code="200"), _series("b", (3.0,), code="503")]
    )
    assert drawn.kind == "table" and drawn.series == {"a": [2.0], "b": [3.0]}


def test_bar_gauge_reduces_each_series() -> None:
    drawn = _draw(_panel("bargauge"), [_series("x", (1.0, 4.0)), _series("y", (2.0, 9.0))])
    assert drawn.series == {"x": [4.0], "y": [9.0]}


def test_heatmap_turns_cumulative_buckets_into_counts_per_bucket() -> None:
    buckets = [_series("+Inf", (10.0, 12.0), le="+Inf"), _series("0.1", (4.0, 5.0), le="0.1"),
               _series("1", (9.0, 9.0), le="1")]  # fmt: skip
    drawn = _draw(_panel("heatmap"), buckets)
    assert drawn.series == {"0.1": [4.0, 5.0], "1": [5.0, 4.0], "+Inf": [1.0, 3.0]}


def test_nothing_returned_is_no_data_and_a_refused_query_shows_its_error() -> None:
    assert _draw(_panel("timeseries"), []).message == NO_DATA
    assert _draw(_panel("stat"), [_series("empty", ())]).message == NO_DATA
    refused = _draw(_panel("timeseries"), [], ["A: query failed: parse error"])
    assert refused.message == "A: query failed: parse error" and not refused.series


def test_an_unknown_panel_type_says_so() -> None:
    drawn = _draw(_panel("news"), [_series("x", (1.0,))])
    assert drawn.message == "Panel type 'news' is not drawn by the preview"


def test_a_text_panel_shows_its_content() -> None:
    drawn = _draw(_panel("text", options={"content": "# Runbook\nPage the payments team."}), [])
    assert drawn.kind == "text" and drawn.message == "# Runbook\nPage the payments team."


def test_value_mappings_give_a_stats_text_and_colour() -> None:
    mappings = [
        {"type": "value", "options": {"0": {"text": "idle", "color": "blue"}}},
        {"type": "range", "options": {"from": 0.5, "to": 1, "result": {"text": "busy"}}},
        {"type": "special", "options": {"match": "nan", "result": {"text": "unknown"}}},
    ]
    panel = _panel("stat", defaults={"unit": "percentunit", "mappings": mappings})
    series = [_series("a", (0.0,)), _series("b", (0.75,)), _series("c", (0.25,)),
              _series("d", (math.nan,))]  # fmt: skip
    drawn = _draw(panel, series)
    assert drawn.texts == {"a": "idle", "b": "busy", "c": "25%", "d": "unknown"}
    assert drawn.colors["a"] == NAMED["blue"]
