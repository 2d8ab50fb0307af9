"""Which queries may run once for many values of a label (the batched validation's analysis)."""

from __future__ import annotations

import promql_parser as pp
import pytest

from generator.promql.analysis import groupings_keep, separation_problem
from generator.validate.batch import add_grouping

S = 'x{svc=~"a|b"}'


@pytest.mark.parametrize(
    ("expr", "reason"),
    [
        (f"rate({S}[5m])", None),
        (f"sum by (le) (rate({S}[5m]))", None),
        (f"histogram_quantile(0.9, sum by (le) (rate({S}[5m])))", None),
        (f'sum by (d) ({S}) / on (d) sum by (d) (y{{svc=~"a"}})', None),
        (f"topk(3, {S})", "topk() has no by (...) to keep svc in"),
        (f"sum({S})", "sum() has no by (...) to keep svc in"),
        (f"sum without (svc) ({S})", "sum without (...) cannot be made to keep svc"),
        (f"absent({S})", "absent() does not keep series apart"),
        (f"scalar(sum by (svc) ({S}))", "scalar() does not keep series apart"),
        (f"{S} or vector(0)", "vector() does not keep series apart"),
        (f"{S} / ignoring (svc) y{{svc=~'a'}}", "ignoring (svc) matches series across svc"),
        (f"{S} / y", "selector y does not filter on svc"),
        (
            f'label_replace({S}, "svc", "$1", "d", "(.*)")',
            "label_replace() overwrites svc",
        ),
    ],
)
def test_separation_problem(expr: str, reason: str | None) -> None:
    assert separation_problem(pp.parse(expr), "svc") == reason


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("sum by (le) (x)", "sum by (le, svc) (x)"),
        ("sum(x) by ()", "sum(x) by (svc)"),
        ("sum by (svc, le) (x)", "sum by (svc, le) (x)"),
        ("a / on(d) group_left (e) b", "a / on (d, svc) group_left (e) b"),
        ('sum by (d) (x{q="by (z)"}) # by (y)', 'sum by (d, svc) (x{q="by (z)"}) # by (y)'),
    ],
)
def test_add_grouping_adds_the_label_outside_strings_and_comments(expr: str, expected: str) -> None:
    rewritten = add_grouping(expr, frozenset({"svc"}))
    assert rewritten == expected
    assert groupings_keep(pp.parse(rewritten), frozenset({"svc"}))
