"""The shape every lint rule has, after pint's checks and sqlfluff's rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Check, Location, Problem, Severity


class Rule:
    """Base of lint rules: subclasses set the class attributes and write ``check``.

    The docstring's first line is the rule's description; the rest shows an
    **Anti-pattern** and a **Best practice**. What ``meshdash validate`` finds
    against a live Prometheus is coded in :mod:`generator.validate.checks`.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        raise NotImplementedError

    @classmethod
    def description(cls) -> str:
        return (cls.__doc__ or "").strip().splitlines()[0]

    def problem(
        self,
        location: Location,
        message: str,
        *,
        severity: Severity | None = None,
        text: str | None = None,
        span: tuple[int, int] | None = None,
    ) -> Problem:
        kind = Check(self.code, self.name, self.severity, self.description())
        return kind.problem(location, message, severity=severity, text=text, span=span)
