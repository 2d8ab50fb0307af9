"""Grafana dashboard JSON from elsewhere (`lint --from`, `validate --from`), in the shape meshdash reads.

Accepted as people have them: a dashboard exported from the UI (with
``__inputs`` and ``${DS_...}`` placeholders, or not), a provisioned file, the
HTTP API's ``{"dashboard": {...}, "meta": {...}}`` wrapper, panels nested in
collapsed rows, and the legacy ``rows`` layout (turned into row panels).
Targets whose data source is not Prometheus are removed with a note, as are
ad hoc filter variables (they add matchers at view time, which nothing here can
know). A file that is not JSON, is empty or holds no dashboard is a one-line
error naming it; the other files are still read.

Which data source a target uses: its own ``datasource``, else its panel's,
else the dashboard default (assumed Prometheus). A ``{"type": ...}`` object
says it directly; a ``$var`` names a data source variable whose ``query`` is
the plugin type; a ``${DS_X}`` placeholder names an ``__inputs`` entry with a
``pluginId``; ``-- Mixed --`` defers to the targets; any other string (a uid
or name) is taken as Prometheus when the target has an ``expr``.
"""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from generator.promql.dashboard import iter_panels, variables

Json = dict[str, Any]
_VARIABLE = re.compile(r"^\$\{?([A-Za-z0-9_]+)(?::[a-z]+)?\}?$")
_MIXED = frozenset({"-- Mixed --", "mixed"})
_NOT_DATASOURCE = frozenset({"-- Dashboard --", "-- Grafana --", "grafana", "datasource"})


@dataclass(frozen=True)
class ForeignDashboard:
    """One dashboard file, normalized, with what was left out of it."""

    path: Path
    uid: str
    title: str
    data: Json
    notes: tuple[str, ...] = ()


@dataclass
class ForeignSet:
    """Every dashboard read from the given paths, and one error line per unreadable file."""

    dashboards: list[ForeignDashboard] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def notes(self) -> list[str]:
        return [n for d in self.dashboards for n in d.notes]


def read_foreign(paths: Iterable[Path]) -> ForeignSet:
    """Read every ``*.json`` file of ``paths`` (files, or folders searched recursively), in order."""
    found = ForeignSet()
    for path in paths:
        if path.is_dir():
            files = sorted(p for p in path.rglob("*.json") if p.is_file())
            if not files:
                found.errors.append(f"{path}: folder holds no *.json dashboard")
        elif path.is_file():
            files = [path]
        else:
            found.errors.append(f"{path}: no such file or folder")
            continue
        for file in files:
            try:
                found.dashboards.append(load_foreign(file))
            except ValueError as exc:
                found.errors.append(f"{file}: {exc}")
    return found


def load_foreign(path: Path) -> ForeignDashboard:
    """One file as a dashboard; ValueError (one line, without the path) if it is none."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it: {exc}") from None
    if not text.strip():
        raise ValueError("empty file; give a Grafana dashboard JSON export")
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValueError(f"not valid JSON (line {exc.lineno}: {exc.msg})") from None
    dashboard = _unwrap(raw)
    data, notes = normalize(dashboard)
    uid = str(data.get("uid") or path.stem)
    data["uid"] = uid
    title = str(data.get("title") or uid)
    return ForeignDashboard(path, uid, title, data, tuple(f"{path}: {n}" for n in notes))


def _unwrap(raw: object) -> Json:
    if isinstance(raw, dict) and isinstance(raw.get("dashboard"), dict):
        raw = raw["dashboard"]
    if not isinstance(raw, dict) or not (
        isinstance(raw.get("panels"), list) or isinstance(raw.get("rows"), list)
    ):
        raise ValueError(
            "not a Grafana dashboard (no panels or rows); give a dashboard JSON export, "
            'a provisioned dashboard file or the API\'s {"dashboard": ...}'
        )
    return raw


def normalize(dashboard: Mapping[str, Any]) -> tuple[Json, list[str]]:
    """A copy in the modern layout, with only Prometheus targets; and notes on what was left out."""
    data: Json = copy.deepcopy(dict(dashboard))
    notes: list[str] = []
    if isinstance(data.get("rows"), list):
        data["panels"] = _panels_from_rows(data.pop("rows"), data.get("panels") or [])
    _fill_inputs(data, _datasource_kinds(data))
    kinds = _datasource_kinds(data)
    for panel in iter_panels(data, rows=True):
        _keep_prometheus_targets(panel, kinds, notes)
    templating = data.get("templating") or {}
    kept = []
    for variable in variables(data):
        if variable.get("type") == "adhoc":
            notes.append(
                f"ad hoc filter ${variable.get('name')} skipped (it adds matchers only at view time)"
            )
            continue
        kept.append(variable)
    if templating:
        data["templating"] = {**templating, "list": kept}
    return data, notes


def _panels_from_rows(rows: list[Json], panels: list[Json]) -> list[Json]:
    """Grafana's pre-5 ``rows``: each becomes a collapsed row panel holding its panels."""
    out = list(panels)
    for index, row in enumerate(rows):
        inner = [p for p in row.get("panels") or [] if isinstance(p, dict)]
        out.append(
            {
                "type": "row",
                "title": row.get("title") or f"Row {index + 1}",
                "collapsed": True,
                "repeat": row.get("repeat"),
                "panels": inner,
            }
        )
    return out


def _datasource_kinds(data: Json) -> dict[str, str]:
    """Plugin type per data source variable name and per ``__inputs`` placeholder name."""
    kinds = {}
    for variable in variables(data):
        if variable.get("type") == "datasource":
            kinds[str(variable.get("name"))] = str(variable.get("query") or "")
    for item in data.get("__inputs") or []:
        if isinstance(item, dict) and item.get("type") == "datasource":
            kinds[str(item.get("name"))] = str(item.get("pluginId") or "")
    return kinds


def _fill_inputs(node: object, kinds: Mapping[str, str]) -> None:
    """``${DS_X}`` export placeholders as the data source they stand for (what import does)."""
    if isinstance(node, list):
        for item in node:
            _fill_inputs(item, kinds)
        return
    if not isinstance(node, dict):
        return
    for key, value in node.items():
        if key == "datasource":
            uid = value.get("uid") if isinstance(value, dict) else value
            match = _VARIABLE.match(uid) if isinstance(uid, str) else None
            name = match.group(1) if match else None
            if name and name.startswith("DS_") and name in kinds:
                node[key] = {"type": kinds[name], "uid": name}
        else:
            _fill_inputs(value, kinds)


def datasource_kind(datasource: object, kinds: Mapping[str, str]) -> str | None:
    """The plugin type a ``datasource`` field names; None for the default or unknown."""
    if isinstance(datasource, dict):
        kind = datasource.get("type")
        if kind:
            return str(kind)
        datasource = datasource.get("uid")
    if not isinstance(datasource, str) or not datasource:
        return None
    if datasource in _MIXED:
        return "mixed"
    if datasource in _NOT_DATASOURCE:
        return "grafana"
    match = _VARIABLE.match(datasource)
    if match and match.group(1) in kinds:
        return kinds[match.group(1)] or None
    return None


def _keep_prometheus_targets(panel: Json, kinds: Mapping[str, str], notes: list[str]) -> None:
    panel_kind = datasource_kind(panel.get("datasource"), kinds)
    targets = panel.get("targets")
    if not isinstance(targets, list):
        return
    kept = []
    for index, target in enumerate(targets):
        if not isinstance(target, dict):
            continue
        kind = datasource_kind(target.get("datasource"), kinds)
        if kind is None or kind == "mixed":
            kind = panel_kind if panel_kind != "mixed" else None
        if (kind in (None, "prometheus") and "expr" in target) or kind == "prometheus":
            kept.append(target)
            continue
        ref = target.get("refId") or chr(ord("A") + index)
        notes.append(
            f"panel {panel.get('title', '')!r} {ref}: data source {kind or 'unknown'} "
            "is not Prometheus; skipped"
        )
    panel["targets"] = kept


def datasource_variable(data: Mapping[str, Any]) -> str | None:
    """The name of the dashboard's Prometheus data source variable, if it has one."""
    for variable in variables(data):
        if variable.get("type") == "datasource" and variable.get("query") == "prometheus":
            return str(variable.get("name"))
    return None
