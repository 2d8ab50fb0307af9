"""MD203 variables/regex and MD204 variables/datasource."""

from __future__ import annotations

from collections.abc import Iterable

from generator.errors import DefinitionError
from generator.promql.context import DashboardContext
from generator.promql.dashboard import variables
from generator.promql.grafana_regex import compile_grafana_regex
from generator.promql.problems import Problem, Severity
from generator.promql.rules.base import Rule


class VariableRegex(Rule):
    """A variable's regex compiles and captures the value it extracts.

    Grafana applies ``/pattern/flags`` to every series text; the first capture
    group (or the groups named ``value`` and ``text``) becomes the option.
    Without a group the regex only filters, and the option is the whole series.

    **Anti-pattern**::

        regex: /consul_destination_service="[^"]*.*/

    **Best practice**::

        regex: /consul_destination_service="([^"]*)".*/
    """

    code = "MD203"
    name = "variables/regex"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for variable in variables(ctx.dashboard):
            regex = variable.get("regex")
            if not isinstance(regex, str) or not regex:
                continue
            where = ctx.location(variable=str(variable.get("name")))
            try:
                pattern = compile_grafana_regex(regex)
            except DefinitionError as exc:
                yield self.problem(where, str(exc), text=regex)
                continue
            if pattern.groups == 0:
                yield self.problem(
                    where,
                    "regex has no capture group, so options are whole series texts; "
                    "capture the value with (...) or (?<value>...)",
                    severity=Severity.WARNING,
                    text=regex,
                )


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
