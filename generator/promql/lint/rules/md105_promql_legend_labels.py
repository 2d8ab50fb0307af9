"""MD105 promql/legend-labels."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.analysis import output_labels
from generator.promql.dashboard import LEGEND_LABEL
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules.base import Rule


class LegendLabels(Rule):
    """Every ``{{label}}`` in a legend is a label the query's result still has.

    Aggregations keep only their ``by`` labels (or drop their ``without``
    labels); a legend naming a dropped label renders empty.

    **Anti-pattern**::

        expr: sum by (local_cluster) (rate(envoy_cluster_upstream_rq_total[$__rate_interval]))
        legendFormat: "{{consul_destination_service}}"

    **Best practice**::

        expr: sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_total[$__rate_interval]))
        legendFormat: "{{consul_destination_service}}"
    """

    code = "MD105"
    name = "promql/legend-labels"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for target in ctx.targets:
            legend = target.ref.legend_format
            if target.ast is None or not legend or legend == "__auto":
                continue
            labels = output_labels(target.ast)
            for match in LEGEND_LABEL.finditer(legend):
                if not labels.has(match.group(1)):
                    yield self.problem(
                        target.location,
                        f"legend uses {{{{{match.group(1)}}}}} but the query's result has no "
                        f"{match.group(1)} label; keep it in by (...) or change the legend",
                        text=legend,
                        span=match.span(),
                    )
