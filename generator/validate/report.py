"""What validation found: problems as values, the summary, and their text and JSON forms."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

FAILURE = "failure"
WARNING = "warning"
#: Worth knowing, never failing: an empty result the definition declared legitimate.
INFORMATION = "information"
_TAGS = {FAILURE: "FAIL", WARNING: "WARN", INFORMATION: "NOTE"}


@dataclass(frozen=True)
class Problem:
    """One finding: a panel target (or a variable) under one choice of variable values."""

    severity: str
    dashboard: str
    reason: str
    panel: str | None = None
    ref_id: str | None = None
    variable: str | None = None
    values: tuple[tuple[str, str], ...] = ()
    expr: str | None = None

    def line(self) -> str:
        """One line: severity, dashboard uid, panel and refId (or variable), values, reason."""
        tag = _TAGS[self.severity]
        where = f"panel {self.panel!r} {self.ref_id}" if self.panel is not None else ""
        if self.variable:
            where = f"variable ${self.variable}"
        values = " ".join(f"{k}={v}" for k, v in self.values)
        scope = f" [{values}]" if values else ""
        return f"{tag} {self.dashboard} {where}{scope}: {self.reason}"


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
        return [p for p in self.problems if p.severity == FAILURE]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == WARNING]

    @property
    def information(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == INFORMATION]

    def ok(self, *, strict: bool = False) -> bool:
        return not self.failures and not (strict and self.warnings)

    def summary(self) -> str:
        ok = self.panels - self.panels_failed
        return (
            f"validate: {ok} panel(s) ok, {self.panels_failed} failed, "
            f"{len(self.warnings)} warning(s); {self.combinations} combination(s) checked "
            f"with {self.queries} queries "
            f"({self.requests} requests) against {self.prometheus} over the last {self.range}"
        )

    def text(self, *, verbose: bool = False) -> str:
        lines = [p.line() for p in self.problems]
        lines.extend(f"note: {n}" for n in self.notes)
        lines.extend(c.line() for c in self.checked)
        if verbose:
            lines.extend(f"fallback: {f}" for f in self.fallbacks)
        lines.append(self.summary())
        return "\n".join(lines)

    def to_json(self) -> str:
        problems = []
        for problem in self.problems:
            item = asdict(problem)
            item["values"] = dict(problem.values)
            problems.append({k: v for k, v in item.items() if v is not None})
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
            "problems": problems,
            "variables": self.variables,
            "notes": self.notes,
        }
        return json.dumps(body, indent=2, sort_keys=True)
