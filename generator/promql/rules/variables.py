"""MD201 variables/undefined and MD202 variables/unused."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from generator.promql.context import DashboardContext
from generator.promql.dashboard import iter_panels, variables
from generator.promql.interpolate import BUILTIN_NAMES, find_references
from generator.promql.problems import Location, Problem, Severity
from generator.promql.rules.base import Rule

GRAFANA_GLOBALS = BUILTIN_NAMES | {
    "__dashboard",
    "__org",
    "__user",
    "__timezone",
    "__name",
    "__all_variables",
    "__url_time_range",
    "__series",
    "__field",
    "__value",
    "__data",
}


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


class UndefinedVariable(Rule):
    """Every ``$variable`` a query, title or legend uses is defined on the dashboard.

    Grafana leaves an unknown ``$name`` in the query as written, and Prometheus
    rejects it or matches nothing.

    **Anti-pattern**::

        rate(envoy_cluster_upstream_rq_total{local_cluster=~"$servce"}[$__rate_interval])

    **Best practice**::

        rate(envoy_cluster_upstream_rq_total{local_cluster=~"$service"}[$__rate_interval])
    """

    code = "MD201"
    name = "variables/undefined"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        defined = {v.get("name") for v in variables(ctx.dashboard)}
        for name, where, text in variable_uses(ctx):
            if name not in defined and name not in GRAFANA_GLOBALS:
                index = text.find(name)
                yield self.problem(
                    where,
                    f"${name} is not a variable of this dashboard; define it or fix the name",
                    text=text,
                    span=(max(index - 1, 0), index + len(name)) if index >= 0 else None,
                )


class UnusedVariable(Rule):
    """Every variable the dashboard defines is used by a query, title, repeat or data source.

    An unused variable is a dropdown that changes nothing.

    **Anti-pattern**::

        templating: [datasource, service, upstream]   # no query uses $upstream

    **Best practice**::

        templating: [datasource, service]
    """

    code = "MD202"
    name = "variables/unused"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        used = {name for name, where, _ in variable_uses(ctx) if where.variable != name}
        for variable in variables(ctx.dashboard):
            name = str(variable.get("name"))
            if name not in used:
                yield self.problem(
                    ctx.location(variable=name),
                    f"${name} is defined but nothing uses it; use it or remove it",
                )
