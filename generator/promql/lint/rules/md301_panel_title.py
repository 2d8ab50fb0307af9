"""MD301 panel/title."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules._panels import query_panels
from generator.promql.lint.rules.base import Rule


class PanelTitle(Rule):
    """Every panel has a title.

    **Anti-pattern**::

        {"type": "timeseries", "title": ""}

    **Best practice**::

        {"type": "timeseries", "title": "Inbound request rate by response class"}
    """

    code = "MD301"
    name = "panel/title"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for panel, where in query_panels(ctx):
            if not str(panel.get("title") or "").strip():
                yield self.problem(where, "panel has no title; say what it shows")
