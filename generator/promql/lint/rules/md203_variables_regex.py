"""MD203 variables/regex."""

from __future__ import annotations

from collections.abc import Iterable

from generator.errors import DefinitionError
from generator.promql.dashboard import variables
from generator.promql.grafana_regex import compile_grafana_regex
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules.base import Rule


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
