"""Carets for promql-parser's position-less errors land on the culprit."""

from __future__ import annotations

import promql_parser
import pytest

from generator.promql.lint.locate import locate

# (query, the text the caret must cover, its index)
CASES = [
    ("rate(x[1m)", ")", 9),
    ('sum by (a) (rate(x{a=")"}[1m)))', ")", 28),
    ("sum(rate(x[1m])", "(", 3),
    ('sum(rate(x{a="("}[1m])', "(", 3),
    ("sum(x))", ")", 6),
    ('x{a="(" } )', ")", 10),
    ('x{a="b"', "{", 1),
    ("x[1m", "[", 1),
    ("x{a=b}", "b", 4),
    ("x}", "}", 1),
    ("x]", "]", 1),
    ("foo(x)", "foo", 0),
    ("rate(x[1mm])", "1mm", 7),
]


@pytest.mark.parametrize(("query", "culprit", "index"), CASES)
def test_caret_covers_the_culprit(query: str, culprit: str, index: int) -> None:
    with pytest.raises(ValueError) as error:
        promql_parser.parse(query)
    assert locate(query, str(error.value)) == (index, index + len(culprit)), str(error.value)


def test_no_position_when_the_parser_says_nothing_specific() -> None:
    with pytest.raises(ValueError) as error:
        promql_parser.parse("sum(x) /")
    assert locate("sum(x) /", str(error.value)) is None
