"""MD302 panel/description."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules._panels import query_panels
from generator.promql.lint.rules.base import Rule


class PanelDescription(Rule):
    """Every panel has a description (the (i) tooltip): what it shows and how to read it.

    **Anti-pattern**::

        {"title": "p99 latency"}

    **Best practice**::

        {"title": "p99 latency", "description": "99th percentile upstream request time per service, from Envoy's histogram."}
    """

    code = "MD302"
    name = "panel/description"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for panel, where in query_panels(ctx):
            if not str(panel.get("description") or "").strip():
                yield self.problem(where, "panel has no description; explain what it shows")
