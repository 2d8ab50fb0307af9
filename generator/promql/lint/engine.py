"""Run the offline lint rules over dashboards."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from pathlib import Path
from typing import Any

from generator.errors import ConfigError
from generator.promql.lint.context import DashboardContext, LintOptions
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules import ALL_RULES, RULES_BY_CODE, Rule


def select_rules(disable: Collection[str] = ()) -> list[Rule]:
    """Instances of the rules to run: all of them, minus ``disable``."""
    unknown = sorted(set(disable) - set(RULES_BY_CODE))
    if unknown:
        raise ConfigError(f"unknown lint rule code(s) {', '.join(unknown)}")
    return [rule() for rule in ALL_RULES if rule.code not in disable]


def lint_dashboard(
    dashboard: Mapping[str, Any],
    *,
    source: Path | None = None,
    rules: Iterable[Rule] | None = None,
    options: LintOptions | None = None,
) -> list[Problem]:
    """Every problem the rules find in one dashboard JSON dict, worst first."""
    ctx = DashboardContext(dashboard, source=source, options=options or LintOptions())
    problems = [p for rule in (rules or select_rules()) for p in _run_rule(rule, ctx)]
    return sorted(problems, key=lambda p: (-p.severity, p.code))


def _run_rule(rule: Rule, ctx: DashboardContext) -> list[Problem]:
    """The rule's problems; a rule that crashes is one Fatal problem naming it, not a traceback."""
    try:
        return list(rule.check(ctx))
    except Exception as exc:
        message = (
            f"rule {rule.code} {rule.name} crashed ({type(exc).__name__}: {exc}); "
            "the other rules ran: this is a meshdash bug, please report it"
        )
        return [rule.problem(ctx.location(), message, severity=Severity.FATAL)]
