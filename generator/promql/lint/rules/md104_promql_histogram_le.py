"""MD104 promql/histogram-le."""

from __future__ import annotations

from collections.abc import Iterable

import promql_parser as pp

from generator.promql.analysis import metric_name, output_labels, selectors, walk
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules.base import Rule


class HistogramLe(Rule):
    """``histogram_quantile`` reads ``_bucket`` series aggregated with ``le`` kept.

    Dropping ``le`` (``sum by (service)``) merges all buckets into one series
    and the quantile is meaningless: a bug. No aggregation at all is valid but
    computes one quantile per scraped series (every pod); that is reported as
    information, since a dashboard almost always wants ``sum by (le, ...)``.

    **Anti-pattern**::

        histogram_quantile(0.99, sum by (local_cluster) (rate(envoy_cluster_upstream_rq_time_bucket[$__rate_interval])))

    **Best practice**::

        histogram_quantile(0.99, sum by (le, local_cluster) (rate(envoy_cluster_upstream_rq_time_bucket[$__rate_interval])))
    """

    code = "MD104"
    name = "promql/histogram-le"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for target in ctx.targets:
            if target.ast is None:
                continue
            for node in walk(target.ast):
                if isinstance(node, pp.Call) and node.func.name == "histogram_quantile":
                    problem = self._judge(node.args[1])
                    if problem is not None:
                        message, severity = problem
                        yield self.problem(
                            target.location, message, severity=severity, text=target.ref.expr
                        )

    def _judge(self, buckets: pp.Expr) -> tuple[str, Severity] | None:
        names = [metric_name(s) or "" for s in selectors(buckets)]
        if names and not any(n.endswith("_bucket") for n in names):
            return (
                f"histogram_quantile() over {names[0]}, which is not a _bucket series",
                self.severity,
            )
        if not output_labels(buckets).has("le"):
            return (
                "histogram_quantile() input drops the le label; aggregate with by (le, ...)",
                self.severity,
            )
        if not any(isinstance(n, pp.AggregateExpr) for n in walk(buckets)):
            return (
                "histogram_quantile() over unaggregated buckets gives one quantile per series; "
                "consider sum by (le, ...)",
                Severity.INFORMATION,
            )
        return None
