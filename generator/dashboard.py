"""What a dashboard definition in `dashboards/` is made of.

A definition file builds :class:`Dashboard` objects from panel builders
(`generator.panels`) and variables (`generator.variables`). The renderer lays
the rows out and turns everything into Grafana JSON; a definition never sets
ids or positions.
"""

from __future__ import annotations

import inspect
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from grafanalib.core import Panel, RowPanel, Template

from generator.errors import DefinitionError
from generator.panels.common import check_targets, check_text, described, panel_size

#: grafanalib panels of Grafana's retired Angular plugins -> what replaces them
RETIRED_PANELS = {
    "Graph": "TimeSeries(...) or generator.panels.common.timeseries(...)",
    "SingleStat": "Stat(...)",
}


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
        _require_type(self.title, str | None, f"{where}: title", "text or None")
        for index, panel in enumerate(_items(self.panels, f"{where}: panels")):
            _check_panel(f"{where}: panel {index + 1}", panel)
        _require_type(self.repeat, str | None, f"{where}: repeat", "the name of a variable")
        _require_type(self.collapsed, bool, f"{where}: collapsed", "True or False")


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
        _require_type(self.title, str, "dashboard title", "text")
        _require(bool(self.title.strip()), "a dashboard needs a title")
        where = f"dashboard {self.title!r}"
        # The messages are made only on failure: describing a panel costs a repr of it.
        for row in _items(self.rows, f"{where}: rows"):
            if not isinstance(row, Row):
                raise DefinitionError(_not_a(f"{where}: a row", row, "a Row", "use Row(...)"))
        for variable in _items(self.variables, f"{where}: variables"):
            if not isinstance(variable, Template):
                advice = "use generator.variables (datasource(), service(), ...)"
                raise DefinitionError(
                    _not_a(f"{where}: a variable", variable, "a variable", advice)
                )
        for tag in _items(self.tags, f"{where}: tags"):
            _require_type(tag, str, f"{where}: tags", "text")
        for link in _items(self.links, f"{where}: links"):
            _require_type(link, DashboardLink, f"{where}: links", "DashboardLink(...)")
        for option in ("description", "time_from", "refresh"):
            _require_type(getattr(self, option), str, f"{where}: {option}", "text")
        _require_type(self.folder, str | None, f"{where}: folder", "text or None")
        _require_type(self.extra, dict, f"{where}: extra", "a dict")


def _check_panel(where: str, panel: Any) -> None:
    advice = "use a builder from generator.panels or a grafanalib panel such as Stat(...)"
    if not isinstance(panel, Panel):
        raise DefinitionError(_not_a(where, panel, "a panel", advice))
    _require(
        not isinstance(panel, RowPanel),
        f"{where} is a RowPanel; a row is Row(...) in the dashboard's rows",
    )
    kind = type(panel).__name__
    _require(
        kind not in RETIRED_PANELS,
        f"{where} ({panel.title!r}) is a {kind}, an Angular panel Grafana retired (removed in "
        f"Grafana 12); use {RETIRED_PANELS.get(kind)}",
    )
    check_text(panel.title, "title", panel.title)
    check_targets(panel.title, panel.targets)
    panel_size(panel)


def _items(value: Any, what: str) -> Sequence[Any]:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise DefinitionError(f"{what} must be a list, got {described(value)}")
    return value


def _not_a(what: str, value: Any, expected: str, advice: str) -> str:
    """`what` holds `value` instead of `expected`; the advice fits the usual slip."""
    if inspect.isclass(value):
        return f"{what} is the class {value.__name__}, not {expected}; create one: {value.__name__}(...)"
    if inspect.isroutine(value):
        return (
            f"{what} is the function {value.__name__}, not {expected}; call it: {value.__name__}()"
        )
    return f"{what} is {described(value)}, not {expected}; {advice}"


def _require_type(value: Any, expected: Any, what: str, expected_text: str) -> None:
    if not isinstance(value, expected):
        raise DefinitionError(f"{what} must be {expected_text}, got {described(value)}")


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise DefinitionError(message)
