"""MD101 promql/syntax."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping

import promql_parser as pp

from generator.errors import InterpolationError
from generator.promql.dashboard import all_variable_values, variable_promql, variables
from generator.promql.interpolate import VariableValue
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.locate import locate
from generator.promql.lint.problems import Location, Problem, Severity
from generator.promql.lint.rules.base import Rule


class PromQLSyntax(Rule):
    """Every query parses as PromQL once Grafana has interpolated it.

    Checked with sample variable values and again with All selected, for panel
    targets and for query variables (``label_values(...)``, ``query_result(...)``).

    **Anti-pattern**::

        sum(rate(envoy_cluster_upstream_rq_total{local_cluster=~"$service"}[$__rate_interval])

    **Best practice**::

        sum(rate(envoy_cluster_upstream_rq_total{local_cluster=~"$service"}[$__rate_interval]))
    """

    code = "MD101"
    name = "promql/syntax"
    severity = Severity.FATAL

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        selections = [("sample values", ctx.sample_values)]
        all_values = all_variable_values(ctx.dashboard)
        if all_values != ctx.sample_values:
            selections.append(("All selected", all_values))
        for target in ctx.targets:
            yield from self._check(ctx, target.ref.expr, target.location, selections)
        for variable in variables(ctx.dashboard):
            query = variable_promql(variable)
            if query is not None:
                location = ctx.location(variable=str(variable.get("name")))
                yield from self._check(ctx, query, location, selections)

    def _check(
        self,
        ctx: DashboardContext,
        expr: str,
        location: Location,
        selections: list[tuple[str, Mapping[str, VariableValue]]],
    ) -> Iterator[Problem]:
        if not expr.strip():
            yield self.problem(location, "query is empty; write a PromQL expression")
            return
        for label, values in selections:
            try:
                text = ctx.interpolate(expr, values)
                pp.parse(text)
            except InterpolationError as exc:
                yield self.problem(location, f"cannot interpolate: {exc}", text=expr)
                return
            except ValueError as exc:
                yield self.problem(
                    location,
                    f"does not parse with {label}: {exc}",
                    text=text,
                    span=locate(text, str(exc)),
                )
                return
