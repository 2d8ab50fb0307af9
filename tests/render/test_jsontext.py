"""The fast JSON writer gives exactly json.dumps' bytes, including for awkward values."""

from __future__ import annotations

import json
import math

import pytest

from generator.render.jsontext import to_json_text

CASES = [
    {"b": 1, "a": [1, 2.5, -0.0, 1e300, True, False, None], "c": {}},
    {"unicode": "Grüße \u2603 \U0001f600", "escapes": 'quote " backslash \\ tab \t nl \n \x01'},
    {"nested": [[[]], [{}], [{"z": [{"y": "x"}]}]], "empty": []},
    {
        "legend": "{{consul_destination_service}} p99",
        "expr": 'rate(x{a=~"(a|b)"}[$__rate_interval])',
    },
    [1, "two", 3.0],
    {"big": 2**70, "small": -(2**70), "float": 0.1 + 0.2},
]


@pytest.mark.parametrize("value", CASES)
def test_same_bytes_as_json_dumps(value) -> None:
    expected = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert to_json_text(value) == expected


@pytest.mark.parametrize("odd", [{"n": math.nan}, {"i": math.inf}, {1: "int key"}, {"t": (1, 2)}])
def test_values_outside_plain_json_fall_back_to_json(odd) -> None:
    assert to_json_text(odd) == json.dumps(odd, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
