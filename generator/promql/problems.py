"""Lint findings as values: severity, where, what."""

from __future__ import annotations

import enum
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

    def describe(self) -> str:
        parts = [f'dashboard "{self.dashboard_title or self.dashboard_uid}"']
        if self.panel_title is not None or self.panel_id is not None:
            parts.append(f'panel "{self.panel_title or ""}"' + _id_suffix(self.panel_id))
        if self.ref_id is not None:
            parts.append(f"target {self.ref_id}")
        if self.variable is not None:
            parts.append(f"variable ${self.variable}")
        return " ".join(parts)


def _id_suffix(panel_id: int | None) -> str:
    return f" (id {panel_id})" if panel_id is not None else ""


@dataclass(frozen=True)
class Problem:
    """One finding of one rule; ``text``/``span`` point at the offending text when known."""

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
        data["span"] = list(self.span) if self.span else None
        return data
