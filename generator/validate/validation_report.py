"""What validation found: lint's problems (codes MD4xx), the summary, and their text and JSON.

The problems print through :mod:`generator.promql.lint.findings_report`, as lint's do.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from generator.promql.lint.findings_report import format_text, problems_json
from generator.promql.lint.problems import Problem, Severity, at_or_above


@dataclass(frozen=True)
class PanelCheck:
    """How many choices of variable values one panel was checked under."""

    dashboard: str
    panel: str
    combinations: int

    def line(self) -> str:
        return f"checked {self.dashboard} panel {self.panel!r}: {self.combinations} combination(s)"


@dataclass
class Report:
    """Everything one run found, in a stable order."""

    prometheus: str
    range: str
    problems: list[Problem] = field(default_factory=list)
    panels: int = 0
    panels_failed: int = 0
    panels_warned: int = 0
    queries: int = 0
    requests: int = 0
    variables: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    checked: list[PanelCheck] = field(default_factory=list)
    #: Targets run one query per combination, and why (shown with ``--verbose``).
    fallbacks: list[str] = field(default_factory=list)

    @property
    def combinations(self) -> int:
        return sum(c.combinations for c in self.checked)

    @property
    def failures(self) -> list[Problem]:
        return at_or_above(self.problems, Severity.BUG)

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.WARNING]

    @property
    def information(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == Severity.INFORMATION]

    def summary(self) -> str:
        ok = self.panels - self.panels_failed
        return (
            f"validate: {ok} panel(s) ok, {self.panels_failed} failed, "
            f"{len(self.warnings)} warning(s); {self.combinations} combination(s) checked "
            f"with {self.queries} queries "
            f"({self.requests} requests) against {self.prometheus} over the last {self.range}"
        )

    def text(self, *, verbose: bool = False, root: Path | None = None) -> str:
        lines = [format_text(self.problems, root=root)] if self.problems else []
        lines.extend(f"note: {n}" for n in self.notes)
        lines.extend(c.line() for c in self.checked)
        if verbose:
            lines.extend(f"fallback: {f}" for f in self.fallbacks)
        lines.append(self.summary())
        return "\n".join(lines)

    def to_json(self) -> str:
        body = {
            "prometheus": self.prometheus,
            "range": self.range,
            "summary": {
                "panels": self.panels,
                "panels_ok": self.panels - self.panels_failed,
                "panels_failed": self.panels_failed,
                "panels_warned": self.panels_warned,
                "failures": len(self.failures),
                "warnings": len(self.warnings),
                "information": len(self.information),
                "queries": self.queries,
                "requests": self.requests,
                "combinations": self.combinations,
            },
            "checked": [asdict(c) for c in self.checked],
            "fallbacks": self.fallbacks,
            "problems": problems_json(self.problems),
            "variables": self.variables,
            "notes": self.notes,
        }
        return json.dumps(body, indent=2, sort_keys=True)
