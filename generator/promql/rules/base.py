"""The shape every lint rule has, after pint's checks and sqlfluff's rules."""

from __future__ import annotations

from collections.abc import Iterable
from typing import ClassVar

from generator.promql.context import DashboardContext
from generator.promql.problems import Location, Problem, Severity


class Rule:
    """Base of lint rules: subclasses set the class attributes and write ``check``.

    The docstring's first line is the rule's description; the rest shows an
    **Anti-pattern** and a **Best practice**. ``online`` rules need a live
    Prometheus and are run by ``meshdash validate``, not ``meshdash lint``.
    """

    code: ClassVar[str]
    name: ClassVar[str]
    severity: ClassVar[Severity]
    online: ClassVar[bool] = False

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
        return Problem(
            code=self.code,
            name=self.name,
            severity=self.severity if severity is None else severity,
            message=message,
            location=location,
            text=text,
            span=span,
        )
