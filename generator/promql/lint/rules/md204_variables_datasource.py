"""MD204 variables/datasource."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.dashboard import variables
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules.base import Rule


class DatasourceVariable(Rule):
    """The dashboard has a ``datasource`` variable of type datasource for Prometheus.

    Panels point at ``${datasource}`` so one dashboard works against any
    Prometheus the viewer picks. Not checked on a dashboard not built by
    meshdash (``lint --from``): it may name its variable as it likes, and MD304
    checks that its panels use it.

    **Anti-pattern**::

        templating: [service]   # panels hard-wired to one data source uid

    **Best practice**::

        {"name": "datasource", "type": "datasource", "query": "prometheus"}
    """

    code = "MD204"
    name = "variables/datasource"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        if ctx.options.foreign:
            return
        found = [v for v in variables(ctx.dashboard) if v.get("name") == "datasource"]
        if not found:
            yield self.problem(
                ctx.location(),
                'dashboard has no "datasource" variable; add one of type datasource, '
                "query prometheus",
            )
            return
        variable = found[0]
        if variable.get("type") != "datasource" or variable.get("query") != "prometheus":
            yield self.problem(
                ctx.location(variable="datasource"),
                f"$datasource has type {variable.get('type')!r} and query "
                f"{variable.get('query')!r}; want type datasource, query prometheus",
            )
