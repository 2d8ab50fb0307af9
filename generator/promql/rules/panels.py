"""MD301 panel/title, MD302 panel/description, MD303 panel/unit, MD304 panel/datasource."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from generator.promql.context import DashboardContext
from generator.promql.dashboard import iter_panels
from generator.promql.foreign import datasource_variable
from generator.promql.problems import Location, Problem, Severity
from generator.promql.rules.base import Rule


def _query_panels(ctx: DashboardContext) -> Iterator[tuple[Mapping[str, Any], Location]]:
    for panel in iter_panels(ctx.dashboard):
        where = ctx.location(panel_title=str(panel.get("title", "")), panel_id=panel.get("id"))
        yield panel, where


class PanelTitle(Rule):
    """Every panel has a title.

    **Anti-pattern**::

        {"type": "timeseries", "title": ""}

    **Best practice**::

        {"type": "timeseries", "title": "Inbound request rate by response class"}
    """

    code = "MD301"
    name = "panel/title"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for panel, where in _query_panels(ctx):
            if not str(panel.get("title") or "").strip():
                yield self.problem(where, "panel has no title; say what it shows")


class PanelDescription(Rule):
    """Every panel has a description (the (i) tooltip): what it shows and how to read it.

    **Anti-pattern**::

        {"title": "p99 latency"}

    **Best practice**::

        {"title": "p99 latency", "description": "99th percentile upstream request time per service, from Envoy's histogram."}
    """

    code = "MD302"
    name = "panel/description"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for panel, where in _query_panels(ctx):
            if not str(panel.get("description") or "").strip():
                yield self.problem(where, "panel has no description; explain what it shows")


class PanelUnit(Rule):
    """Every panel with queries sets a unit (``fieldConfig.defaults.unit``).

    **Anti-pattern**::

        {"fieldConfig": {"defaults": {}}}

    **Best practice**::

        {"fieldConfig": {"defaults": {"unit": "reqps"}}}
    """

    code = "MD303"
    name = "panel/unit"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for panel, where in _query_panels(ctx):
            if not panel.get("targets"):
                continue
            defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
            if not str(defaults.get("unit") or "").strip():
                yield self.problem(where, "panel has no unit; set fieldConfig.defaults.unit")


class PanelDatasource(Rule):
    """Panels and their targets query the ``${datasource}`` variable's data source.

    On a dashboard not built by meshdash (``lint --from``) the variable is the
    dashboard's own Prometheus data source variable, whatever its name; a
    dashboard without one is not checked.

    **Anti-pattern**::

        {"datasource": {"type": "prometheus", "uid": "P1809F7CD0C75ACF3"}}

    **Best practice**::

        {"datasource": {"type": "prometheus", "uid": "${datasource}"}}
    """

    code = "MD304"
    name = "panel/datasource"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        name = datasource_variable(ctx.dashboard) if ctx.options.foreign else "datasource"
        if name is None:
            return
        uids = frozenset({f"${{{name}}}", f"${name}"})
        for panel, where in _query_panels(ctx):
            if not panel.get("targets"):
                continue
            if not _is_variable_datasource(panel.get("datasource"), uids, ctx.options.foreign):
                yield self.problem(where, _message("panel", panel.get("datasource"), name))
            for target in panel["targets"]:
                datasource = target.get("datasource")
                if not _is_variable_datasource(datasource, uids, ctx.options.foreign):
                    target_where = ctx.location(
                        panel_title=where.panel_title,
                        panel_id=where.panel_id,
                        ref_id=target.get("refId"),
                    )
                    yield self.problem(target_where, _message("target", datasource, name))


def _is_variable_datasource(datasource: object, uids: frozenset[str], foreign: bool) -> bool:
    if foreign and (datasource is None or (isinstance(datasource, str) and datasource in uids)):
        return True  # a legacy string, or no data source: the panel's (or dashboard's)
    return (
        isinstance(datasource, dict)
        and datasource.get("type") == "prometheus"
        and datasource.get("uid") in uids
    )


def _message(owner: str, datasource: object, name: str) -> str:
    return (
        f'{owner} data source is {datasource!r}; use {{"type": "prometheus", "uid": "${{{name}}}"}}'
    )
