"""What the panel rules (MD301-MD304) share: the panels that draw queries, with where they are."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from generator.promql.dashboard import iter_panels
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Location


def query_panels(ctx: DashboardContext) -> Iterator[tuple[Mapping[str, Any], Location]]:
    for panel in iter_panels(ctx.dashboard):
        where = ctx.location(panel_title=str(panel.get("title", "")), panel_id=panel.get("id"))
        yield panel, where
