"""MD304 panel/datasource."""

from __future__ import annotations

from collections.abc import Iterable

from generator.promql.foreign import datasource_variable
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules._panels import query_panels
from generator.promql.lint.rules.base import Rule


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
        for panel, where in query_panels(ctx):
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
