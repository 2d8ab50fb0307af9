"""What the variable rules MD201 and MD202 share: every place a dashboard uses a variable."""

from __future__ import annotations

from collections.abc import Iterator

from generator.promql.dashboard import iter_panels, variables
from generator.promql.interpolate import find_references
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Location


def _datasource_uid(owner: object) -> str:
    datasource = owner.get("datasource") if isinstance(owner, dict) else None
    return str(datasource.get("uid") or "") if isinstance(datasource, dict) else ""


def variable_uses(ctx: DashboardContext) -> Iterator[tuple[str, Location, str]]:
    """Every place a variable is referenced: (name, where, the text that refers)."""
    for variable in variables(ctx.dashboard):
        where = ctx.location(variable=str(variable.get("name")))
        for text in (variable.get("query"), _datasource_uid(variable)):
            if isinstance(text, str):
                yield from ((r.name, where, text) for r in find_references(text))
    for panel in iter_panels(ctx.dashboard, rows=True):
        where = ctx.location(panel_title=str(panel.get("title", "")), panel_id=panel.get("id"))
        if panel.get("repeat"):
            yield str(panel["repeat"]), where, f"repeat: {panel['repeat']}"
        for text in (panel.get("title"), panel.get("description"), _datasource_uid(panel)):
            if isinstance(text, str):
                yield from ((r.name, where, text) for r in find_references(text))
        for target in panel.get("targets") or ():
            target_where = ctx.location(
                panel_title=str(panel.get("title", "")),
                panel_id=panel.get("id"),
                ref_id=target.get("refId"),
            )
            for key in ("expr", "legendFormat"):
                text = target.get(key)
                if isinstance(text, str):
                    yield from ((r.name, target_where, text) for r in find_references(text))
            uid = _datasource_uid(target)
            yield from ((r.name, target_where, uid) for r in find_references(uid))
