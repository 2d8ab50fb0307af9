"""plain_json: the same values as a round trip through grafanalib's encoder, without the nulls."""

from __future__ import annotations

import json
from collections import OrderedDict
from typing import Any

import pytest
from grafanalib._gen import DashboardEncoder
from grafanalib.core import DataLink

from generator.render.plain import _drop_nulls, plain_json

CASES = [
    None,
    "text",
    3,
    [],
    {},
    {"a": None, "b": [None, 1, None], "c": {"d": None}},
    [{"matcher": {"id": "byName", "options": "x"}, "properties": [{"id": "c", "value": None}]}],
    (1, (2, None), {"t": (True, 0.5)}),
    OrderedDict([("z", [OrderedDict(a=1)]), ("y", None)]),
    {"links": [DataLink("Runbook", "https://example.com")], "nested": [[{"x": [[None]]}]]},
    {1: "int key", "s": "str"},
]


def _reference(value: Any) -> Any:
    return _drop_nulls(json.loads(json.dumps(value, cls=DashboardEncoder)))


@pytest.mark.parametrize("value", CASES)
def test_plain_json_equals_the_encoder_round_trip(value: Any) -> None:
    assert plain_json(value) == _reference(value)


def test_plain_json_copies_what_it_is_given() -> None:
    given = {"a": {"b": [1]}}
    result = plain_json(given)
    result["a"]["b"].append(2)
    assert given == {"a": {"b": [1]}}
