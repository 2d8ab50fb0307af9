"""Findings of lint and validate as values: code, severity, where, what."""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any


class Severity(enum.IntEnum):
    """How bad a problem is; ``--fail-on`` picks the lowest that fails the run."""

    INFORMATION = 0
    WARNING = 1
    BUG = 2
    FATAL = 3

    @classmethod
    def parse(cls, name: str) -> Severity:
        return cls[name.upper()]

    def label(self) -> str:
        return self.name.capitalize()


@dataclass(frozen=True)
class Location:
    """Where a problem is: dashboard, then panel and target, or a variable."""

    dashboard_uid: str = ""
    dashboard_title: str = ""
    source: Path | None = None
    panel_title: str | None = None
    panel_id: int | None = None
    ref_id: str | None = None
    variable: str | None = None
    #: The variable values a live check ran under (validate), in the dashboard's order.
    values: tuple[tuple[str, str], ...] = ()

    def describe(self) -> str:
        parts = [f'dashboard "{self.dashboard_title or self.dashboard_uid}"']
        if self.panel_title is not None or self.panel_id is not None:
            parts.append(f'panel "{self.panel_title or ""}"' + _id_suffix(self.panel_id))
        if self.ref_id is not None:
            parts.append(f"target {self.ref_id}")
        if self.variable is not None:
            parts.append(f"variable ${self.variable}")
        if self.values:
            parts.append("[" + " ".join(f"{k}={v}" for k, v in self.values) + "]")
        return " ".join(parts)


def _id_suffix(panel_id: int | None) -> str:
    return f" (id {panel_id})" if panel_id is not None else ""


@dataclass(frozen=True)
class Problem:
    """One finding of one lint rule or validate check; ``text``/``span`` point at the offending
    text (the query) when known."""

    code: str
    name: str
    severity: Severity
    message: str
    location: Location
    text: str | None = None
    span: tuple[int, int] | None = field(default=None)

    def to_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = self.severity.name.lower()
        loc = data["location"]
        loc["source"] = str(self.location.source) if self.location.source else None
        loc["values"] = dict(self.location.values)
        data["span"] = list(self.span) if self.span else None
        return data


@dataclass(frozen=True)
class Check:
    """A kind of finding: its code, name, default severity; lint rules and validate's checks."""

    code: str
    name: str
    severity: Severity
    #: What it checks, in one line, as the README table says it.
    summary: str

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


def at_or_above(problems: Iterable[Problem], threshold: Severity) -> list[Problem]:
    """The problems that fail a run whose ``--fail-on`` is ``threshold``."""
    return [p for p in problems if p.severity >= threshold]
