"""Grafana interpolation: the data-driven table in interpolation_cases.yaml plus error cases."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import promql_parser
import pytest
import yaml

from generator.errors import InterpolationError
from generator.promql.durations import go_duration, round_interval, to_ms
from generator.promql.interpolate import (
    TimeRange,
    VariableValue,
    find_references,
    interpolate,
    unknown_variables,
)

CASES = yaml.safe_load((Path(__file__).parent / "interpolation_cases.yaml").read_text())
NOW_MS = 1_700_000_000_000


def _variable(spec: dict[str, Any]) -> VariableValue:
    texts = spec.get("texts")
    return VariableValue(
        values=tuple(spec.get("values", ())),
        multi=spec.get("multi", False),
        include_all=spec.get("include_all", False),
        all_selected=spec.get("all_selected", False),
        all_value=spec.get("all_value"),
        options=tuple(spec.get("options", ())),
        texts=None if texts is None else tuple(texts),
    )


@pytest.mark.parametrize("case", CASES, ids=[c["id"] for c in CASES])
def test_interpolation_table(case: dict[str, Any]) -> None:
    variables = {name: _variable(spec) for name, spec in (case.get("variables") or {}).items()}
    result = interpolate(
        case["expr"],
        variables,
        time_range=TimeRange.last(case.get("range", "6h"), now_ms=NOW_MS),
        scrape_interval=case.get("scrape_interval", "15s"),
        max_data_points=case.get("max_data_points", 1500),
    )
    assert result == case["expected"]


def test_escaped_multi_values_still_parse_as_promql() -> None:
    variables = {"job": VariableValue.selected("a|b", "c.d", "(x)")}
    expr = interpolate('up{job=~"$job"}', variables, time_range=TimeRange.last("1h", now_ms=NOW_MS))
    selector = promql_parser.parse(expr)
    assert selector.matchers.matchers[0].value == r"(a\|b|c\.d|\(x\))"


def test_unknown_variables_are_reported_once_and_builtins_are_not() -> None:
    expr = 'rate(x{a="$svc", b="${svc}", c="$known"}[$__rate_interval]) [[other]]'
    assert unknown_variables(expr, {"known": VariableValue.single("k")}) == ["svc", "other"]


def test_find_references_gives_spans_and_formats() -> None:
    refs = find_references("a ${job:csv} [[x]]")
    assert [(r.name, r.start, r.end, r.format) for r in refs] == [
        ("job", 2, 12, "csv"),
        ("x", 13, 18, None),
    ]


def test_builtin_overrides_replace_macros() -> None:
    result = interpolate(
        "rate(x[$__rate_interval])",
        {},
        time_range=TimeRange.last("6h", now_ms=NOW_MS),
        builtin_overrides={"__rate_interval": "7777s"},
    )
    assert result == "rate(x[7777s])"


def test_special_chars_toggle_escapes_double_quotes() -> None:
    result = interpolate(
        'up{a="$one", b=~"$many"}',
        {"one": VariableValue.single('x"y'), "many": VariableValue.selected('p"q', "r")},
        time_range=TimeRange.last("6h", now_ms=NOW_MS),
        special_chars_in_label_values=True,
    )
    assert result == r'up{a="x\"y", b=~"(p\\\"q|r)"}'
    assert promql_parser.parse(result).matchers.matchers[0].value == 'x"y'


@pytest.mark.parametrize(
    ("expr", "kwargs", "message"),
    [
        ('up{a="${job"}', {}, "malformed variable reference at column 7"),
        ("${job:nosuchformat}", {}, "unknown variable format 'nosuchformat'"),
        ("up", {"scrape_interval": "fast"}, "'fast' is not a duration"),
        ("up", {"scrape_interval": 0}, "must be positive"),
        ("up", {"max_data_points": 0}, "max data points must be positive"),
    ],
)
def test_malformed_input_raises(expr: str, kwargs: dict[str, Any], message: str) -> None:
    with pytest.raises(InterpolationError, match=message.replace("(", r"\(").replace("$", r"\$")):
        interpolate(
            expr,
            {"job": VariableValue.single("a")},
            time_range=TimeRange.last("6h", now_ms=NOW_MS),
            **kwargs,
        )


def test_self_referencing_all_value_raises() -> None:
    variables = {"job": VariableValue.all(all_value="$job")}
    with pytest.raises(InterpolationError, match="refers to itself"):
        interpolate("$job", variables, time_range=TimeRange.last("6h", now_ms=NOW_MS))


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"values": ("a", "b")}, "a single-value variable needs exactly one value, got 2"),
        ({"values": ()}, "a single-value variable needs exactly one value, got 0"),
        ({"all_selected": True, "multi": True}, "without includeAll cannot have All selected"),
    ],
)
def test_inconsistent_variable_values_raise(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(InterpolationError, match=message):
        VariableValue(**spec)


def test_time_range_must_be_ordered() -> None:
    with pytest.raises(InterpolationError, match="before it starts"):
        TimeRange(10, 10)


@pytest.mark.parametrize(
    ("raw_ms", "rounded"),
    [
        (14, 10),
        (15, 20),
        (12_499, 10_000),
        (12_500, 15_000),
        (17_500, 20_000),
        (89_999, 60_000),
        (3_628_800_000, 31_536_000_000),
    ],
)
def test_round_interval_table_edges(raw_ms: int, rounded: int) -> None:
    assert round_interval(raw_ms) == rounded


@pytest.mark.parametrize(
    ("ms", "text"),
    [(500, "500ms"), (1500, "1.5s"), (60_000, "1m0s"), (3_600_000, "1h0m0s"), (75_000, "1m15s")],
)
def test_go_duration_matches_go(ms: int, text: str) -> None:
    assert go_duration(ms) == text


@pytest.mark.parametrize(
    ("text", "ms"), [("15s", 15_000), ("1m", 60_000), ("250ms", 250), (30, 30_000)]
)
def test_to_ms(text: str | int, ms: int) -> None:
    assert to_ms(text) == ms
