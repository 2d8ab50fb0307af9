"""MD201 variables/undefined."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.dashboard import variables
from generator.promql.interpolate import BUILTIN_NAMES
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules._variables import variable_uses
from generator.promql.lint.rules.base import Rule

GRAFANA_GLOBALS = BUILTIN_NAMES | {
    "__dashboard",
    "__org",
    "__user",
    "__timezone",
    "__name",
    "__all_variables",
    "__url_time_range",
    "__series",
    "__field",
    "__value",
    "__data",
}


class UndefinedVariable(Rule):
    """Every ``$variable`` a query, title or legend uses is defined on the dashboard.

    Grafana leaves an unknown ``$name`` in the query as written, and Prometheus
    rejects it or matches nothing.

    **Anti-pattern**::

        rate(envoy_cluster_upstream_rq_total{local_cluster=~"$servce"}[$__rate_interval])

    **Best practice**::

        rate(envoy_cluster_upstream_rq_total{local_cluster=~"$service"}[$__rate_interval])
    """

    code = "MD201"
    name = "variables/undefined"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        defined = {v.get("name") for v in variables(ctx.dashboard)}
        for name, where, text in variable_uses(ctx):
            if name not in defined and name not in GRAFANA_GLOBALS:
                index = text.find(name)
                yield self.problem(
                    where,
                    f"${name} is not a variable of this dashboard; define it or fix the name",
                    text=text,
                    span=(max(index - 1, 0), index + len(name)) if index >= 0 else None,
                )
