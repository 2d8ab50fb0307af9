"""Walk a Grafana dashboard JSON dict: panels, query targets, variables, sample values."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from generator.promql.interpolate import VariableValue

#: Grafana's renderLegendFormat: `{{ label }}`, spaces allowed inside the braces.
LEGEND_LABEL = re.compile(r"\{\{\s*(.+?)\s*\}\}")


def legend_labels(legend_format: str | None) -> list[str]:
    """Labels a legend format uses (``{{local_cluster}} {{code}}xx`` -> both)."""
    return LEGEND_LABEL.findall(legend_format or "")


Json = Mapping[str, Any]

#: A PromQL comment line that declares a target's empty result legitimate
#: (Prometheus ignores it; ``generator.panels.common.target(may_be_empty=True)`` writes it).
MAY_BE_EMPTY = "# meshdash: may be empty"
_MAY_BE_EMPTY_LINE = re.compile(r"^\s*#\s*meshdash:\s*may be empty\b", re.MULTILINE | re.IGNORECASE)


def may_be_empty_query(expr: str) -> bool:
    """The query says, with a ``# meshdash: may be empty`` line, that no series is fine."""
    return bool(_MAY_BE_EMPTY_LINE.search(expr))


#: Grafana's Prometheus variable functions, around the PromQL they carry.
_VARIABLE_FUNCTION = re.compile(
    r"^\s*(label_values|query_result|label_names|metrics)\s*\((.*)\)\s*$", re.S
)

SAMPLE_VALUES: dict[str, str] = {"service": "api", "upstream": "payments"}
PLACEHOLDER_VALUE = "sample"


@dataclass(frozen=True)
class TargetRef:
    """One PromQL query of a panel, with what a checker needs around it.

    ``instant`` and ``range`` are the target's query types as Grafana reads
    them: a target with neither flag set runs as a range query.
    """

    panel: Json
    ref_id: str
    expr: str
    legend_format: str | None
    instant: bool
    range: bool
    target: Json

    @property
    def panel_title(self) -> str:
        return str(self.panel.get("title", ""))

    @property
    def panel_id(self) -> int | None:
        return self.panel.get("id")

    @property
    def may_be_empty(self) -> bool:
        return may_be_empty_query(self.expr)


def walk_panels(dashboard: Json) -> Iterator[tuple[Json, Json | None]]:
    """Every panel in layout order with the row it sits in: the one walker of dashboard JSON.

    A row panel comes with None, then the panels a collapsed row holds; panels
    listed after a row (an open row's) come with that row, panels above the
    first row with None. Entries that are not objects are skipped: foreign
    dashboards have them, and Grafana ignores them too.
    """
    row: Json | None = None
    for panel in dashboard.get("panels") or ():
        if not isinstance(panel, Mapping):
            continue
        if panel.get("type") != "row":
            yield panel, row
            continue
        row = panel
        yield row, None
        for inner in row.get("panels") or ():
            if isinstance(inner, Mapping):
                yield inner, row


def iter_panels(dashboard: Json, *, rows: bool = False) -> Iterator[Json]:
    """Every panel in layout order, including those inside collapsed rows.

    Row panels themselves are yielded only when ``rows`` is true.
    """
    return (p for p, _ in walk_panels(dashboard) if rows or p.get("type") != "row")


def panels_with_rows(dashboard: Json) -> Iterator[tuple[Json, Json | None]]:
    """Every non-row panel with the row it sits in (None above the first row)."""
    return ((p, row) for p, row in walk_panels(dashboard) if p.get("type") != "row")


def repeated_variables(panel: Json, row: Json | None) -> frozenset[str]:
    """Variables a panel or its row repeats on: each copy sees one value of them."""
    return frozenset(str(p["repeat"]) for p in (panel, row) if p and p.get("repeat"))


def iter_targets(dashboard: Json) -> Iterator[TargetRef]:
    """Every target with an ``expr`` (a Prometheus query), skipping hidden ones."""
    for panel in iter_panels(dashboard):
        for index, target in enumerate(panel.get("targets") or ()):
            if not isinstance(target, Mapping) or "expr" not in target or target.get("hide"):
                continue
            instant = bool(target.get("instant", False))
            yield TargetRef(
                panel=panel,
                ref_id=str(target.get("refId") or chr(ord("A") + index)),
                expr=str(target.get("expr") or ""),
                legend_format=target.get("legendFormat"),
                instant=instant,
                range=bool(target.get("range", not instant)),
                target=target,
            )


def variables(dashboard: Json) -> list[Json]:
    """The dashboard's variable definitions (``templating.list``)."""
    return list((dashboard.get("templating") or {}).get("list") or ())


def sample_variable_values(
    dashboard: Json, overrides: Mapping[str, str] | None = None
) -> dict[str, VariableValue]:
    """One plausible selection per variable, to interpolate queries with.

    ``service`` -> ``api``, ``upstream`` -> ``payments``, constants and custom
    variables -> their first value, anything else -> ``sample``. Data source
    variables are skipped: queries reference them only in ``datasource``.
    """
    chosen = {**SAMPLE_VALUES, **(overrides or {})}
    result = {}
    for variable in variables(dashboard):
        name = variable.get("name")
        if not name or variable.get("type") == "datasource":
            continue
        value = chosen.get(name) or _first_option(variable) or PLACEHOLDER_VALUE
        result[name] = VariableValue(
            values=(value,),
            multi=bool(variable.get("multi")),
            include_all=bool(variable.get("includeAll")),
        )
    return result


def all_variable_values(dashboard: Json) -> dict[str, VariableValue]:
    """The selection with All chosen wherever a variable offers it."""
    result = sample_variable_values(dashboard)
    for variable in variables(dashboard):
        name = variable.get("name")
        if name in result and variable.get("includeAll"):
            result[name] = VariableValue.all(
                all_value=variable.get("allValue") or None,
                options=result[name].values,
                multi=bool(variable.get("multi")),
            )
    return result


def variable_promql(variable: Json) -> str | None:
    """The PromQL inside a Prometheus query variable, or None if it has none."""
    query = variable.get("query")
    if variable.get("type") != "query" or not isinstance(query, str) or not query.strip():
        return None
    match = _VARIABLE_FUNCTION.match(query)
    if match is None:
        return query
    function, args = match.groups()
    if function == "query_result":
        return args
    if function == "label_values" and "," in args:
        return args.rsplit(",", 1)[0]
    return None


def _first_option(variable: Json) -> str | None:
    kind = variable.get("type")
    query = variable.get("query")
    if kind in {"constant", "textbox"} and isinstance(query, str) and query:
        return query
    if kind in {"custom", "interval"} and isinstance(query, str) and query:
        return query.split(",")[0].strip() or None
    return None
