"""MD202 variables/unused."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.dashboard import variables
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules._variables import variable_uses
from generator.promql.lint.rules.base import Rule


class UnusedVariable(Rule):
    """Every variable the dashboard defines is used by a query, title, repeat or data source.

    An unused variable is a dropdown that changes nothing.

    **Anti-pattern**::

        templating: [datasource, service, upstream]   # no query uses $upstream

    **Best practice**::

        templating: [datasource, service]
    """

    code = "MD202"
    name = "variables/unused"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        used = {name for name, where, _ in variable_uses(ctx) if where.variable != name}
        for variable in variables(ctx.dashboard):
            name = str(variable.get("name"))
            if name not in used:
                yield self.problem(
                    ctx.location(variable=name),
                    f"${name} is defined but nothing uses it; use it or remove it",
                )
