"""What a dashboard definition in `dashboards/` is made of.

A definition file builds :class:`Dashboard` objects from panel builders
(`generator.panels`) and variables (`generator.variables`). The renderer lays
the rows out and turns everything into Grafana JSON; a definition never sets
ids or positions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grafanalib.core import Panel, Template

from generator.errors import DefinitionError


@dataclass(frozen=True)
class Row:
    """A titled band of panels; `repeat` names a variable to repeat it per value.

    With `title=None` the panels are laid out without a row header.
    """

    title: str | None
    panels: Sequence[Panel]
    repeat: str | None = None
    collapsed: bool = False

    def __post_init__(self) -> None:
        where = f"row {self.title!r}"
        _require(self.title is None or isinstance(self.title, str), f"{where}: title must be text")
        for index, panel in enumerate(_items(self.panels, f"{where}: panels")):
            _require(
                isinstance(panel, Panel),
                f"{where}: panel {index + 1} is a {type(panel).__name__}, not a panel; "
                "use a builder from generator.panels",
            )
        _require(
            self.repeat is None or isinstance(self.repeat, str), f"{where}: repeat names a variable"
        )


@dataclass(frozen=True)
class DashboardLink:
    """A link in the dashboard's header, e.g. to the other meshdash dashboards by tag."""

    title: str
    tags: Sequence[str] = ()
    url: str | None = None
    keep_time: bool = True
    include_vars: bool = False


@dataclass(frozen=True)
class Dashboard:
    """One Grafana dashboard; `uid` is its stable identity (at most 40 characters)."""

    uid: str
    title: str
    rows: Sequence[Row]
    variables: Sequence[Template] = ()
    description: str = ""
    tags: Sequence[str] = ()
    folder: str | None = None
    links: Sequence[DashboardLink] = ()
    time_from: str = "now-1h"
    refresh: str = "30s"
    extra: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        where = f"dashboard {self.title!r}"
        _require(isinstance(self.title, str) and bool(self.title), "a dashboard needs a title")
        for row in _items(self.rows, f"{where}: rows"):
            _require(
                isinstance(row, Row), f"{where}: rows holds a {type(row).__name__}; use Row(...)"
            )
        for variable in _items(self.variables, f"{where}: variables"):
            _require(
                isinstance(variable, Template),
                f"{where}: variables holds a {type(variable).__name__}; "
                "use generator.variables (datasource(), service(), ...)",
            )
        for tag in _items(self.tags, f"{where}: tags"):
            _require(isinstance(tag, str), f"{where}: tags must be text")


def _items(value: Any, what: str) -> Sequence[Any]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise DefinitionError(f"{what} must be a list, not {type(value).__name__}")
    return value


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise DefinitionError(message)
