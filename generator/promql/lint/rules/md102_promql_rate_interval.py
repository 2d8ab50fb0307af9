"""MD102 promql/rate-interval."""

from __future__ import annotations

import re
from collections.abc import Iterable

import promql_parser as pp

from generator.promql.analysis import counter_calls
from generator.promql.lint.context import RANGE_SENTINEL, RATE_INTERVAL_SENTINEL, DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules.base import Rule

_RANGE = re.compile(r"\[([^\]]*)\]")


_GOOD_RANGE = re.compile(
    r"^\s*(\$__rate_interval|\$\{__rate_interval\}|\$__range|\$\{__range\})\s*$"
)


class RateInterval(Rule):
    """``rate``, ``irate`` and ``increase`` use ``$__rate_interval`` as their range.

    A fixed range (``[1m]``) breaks when the scrape interval or the zoom changes;
    ``$__interval`` can be shorter than two scrapes and draws gaps. Grafana's
    ``$__rate_interval`` is always at least four scrapes. ``increase(...[$__range])``
    is accepted in instant queries (a total over the dashboard's time range).

    **Anti-pattern**::

        sum(rate(envoy_cluster_upstream_rq_total[1m]))

    **Best practice**::

        sum(rate(envoy_cluster_upstream_rq_total[$__rate_interval]))
    """

    code = "MD102"
    name = "promql/rate-interval"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for target in ctx.targets:
            if target.ast is None:
                continue
            for node in counter_calls(target.ast):
                window = _window(node)
                allowed = {RATE_INTERVAL_SENTINEL}
                if target.ref.instant and not target.ref.range:
                    allowed.add(RANGE_SENTINEL)
                if window not in allowed:
                    yield self.problem(
                        target.location,
                        f"{node.func.name}() should use [$__rate_interval] as its range",
                        text=target.ref.expr,
                        span=_bad_range_span(target.ref.expr),
                    )
                    break


def _window(call: pp.Call) -> object:
    arg = call.args[0] if call.args else None
    if isinstance(arg, pp.MatrixSelector | pp.SubqueryExpr):
        return arg.range
    return None


def _bad_range_span(expr: str) -> tuple[int, int] | None:
    for match in _RANGE.finditer(expr):
        if not _GOOD_RANGE.match(match.group(1)):
            return match.start(1), match.end(1)
    return None
