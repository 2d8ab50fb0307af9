"""MD103 promql/counter."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from generator.promql.analysis import counter_calls, metric_name, selectors
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules.base import Rule

_HISTOGRAM_SERIES = ("_bucket", "_sum", "_count")


def metric_type(name: str, types: Mapping[str, str]) -> str | None:
    """The type of a series name; a histogram's ``_bucket``/``_sum``/``_count`` are counters."""
    if name in types:
        kind = types[name]
        return "counter" if kind == "histogram" and name.endswith(_HISTOGRAM_SERIES) else kind
    for suffix in _HISTOGRAM_SERIES:
        if name.endswith(suffix) and types.get(name.removesuffix(suffix)) == "histogram":
            return "counter"
    return None


class RateOverCounter(Rule):
    """``rate``, ``irate`` and ``increase`` only read counters, never gauges.

    A gauge goes down as well as up; ``rate`` reads every fall as a counter
    reset and reports nonsense. Types come from the simulator's metric table
    (``generator.metrics_catalogue.METRIC_TYPES``); unknown metrics are not judged.

    **Anti-pattern**::

        rate(envoy_cluster_upstream_rq_active[$__rate_interval])

    **Best practice**::

        avg_over_time(envoy_cluster_upstream_rq_active[$__rate_interval])
    """

    code = "MD103"
    name = "promql/counter"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        types = ctx.metric_types
        for target in ctx.targets:
            if target.ast is None:
                continue
            for node in counter_calls(target.ast):
                for selector in selectors(node):
                    name = metric_name(selector)
                    if name and metric_type(name, types) == "gauge":
                        index = target.ref.expr.find(name)
                        yield self.problem(
                            target.location,
                            f"{node.func.name}() over gauge {name}; use a counter, or "
                            "avg_over_time/max_over_time/deriv for a gauge",
                            text=target.ref.expr,
                            span=(index, index + len(name)) if index >= 0 else None,
                        )
