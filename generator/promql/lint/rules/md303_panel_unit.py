"""MD303 panel/unit."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules._panels import query_panels
from generator.promql.lint.rules.base import Rule


class PanelUnit(Rule):
    """Every panel with queries sets a unit (``fieldConfig.defaults.unit``).

    **Anti-pattern**::

        {"fieldConfig": {"defaults": {}}}

    **Best practice**::

        {"fieldConfig": {"defaults": {"unit": "reqps"}}}
    """

    code = "MD303"
    name = "panel/unit"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for panel, where in query_panels(ctx):
            if not panel.get("targets"):
                continue
            defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
            if not str(defaults.get("unit") or "").strip():
                yield self.problem(where, "panel has no unit; set fieldConfig.defaults.unit")
