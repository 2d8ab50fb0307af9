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


@dataclass(frozen=True)
class Row:
    """A titled band of panels; `repeat` names a variable to repeat it per value.

    With `title=None` the panels are laid out without a row header.
    """

    title: str | None
    panels: Sequence[Panel]
    repeat: str | None = None
    collapsed: bool = False


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
