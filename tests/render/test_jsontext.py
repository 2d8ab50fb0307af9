"""The fast JSON writer gives exactly json.dumps' bytes, including for awkward values."""

from __future__ import annotations

import json
import math

import pytest

from generator.render import jsontext
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


class _Code(int):
    pass


class _Name(str):
    pass


@pytest.mark.parametrize(
    "value",
    [
        {"flag": True, "off": False, "none": None, "n": 3, "f": 0.5, "s": "x", "d": {}, "l": []},
        {"code": _Code(404), "name": _Name('quoted " name'), "list": [_Code(1), _Name("a")]},
        {"rows": [{"panels": [{"gridPos": {"h": 8, "w": 12}, "targets": [{"expr": "up"}]}]}]},
        [{"a": 1}, {}, [], "s", 2, None, [{"b": [True]}]],
        {_Name("key"): 1, "Z": 2, "a": 3},
    ],
)
def test_inline_values_and_subclasses_give_json_dumps_bytes(value) -> None:
    expected = json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    assert to_json_text(value) == expected


def test_more_key_names_than_are_remembered_still_come_out_right() -> None:
    many = {f"label_{i}": {f"value \u00e9 {i}": i} for i in range(jsontext._KEYS_LIMIT + 50)}

    assert (
        to_json_text(many) == json.dumps(many, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    )
    assert len(jsontext._KEYS) <= jsontext._KEYS_LIMIT
