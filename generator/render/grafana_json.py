"""A dashboard definition -> Grafana JSON: clean and deterministic.

(`generator.render.jsontext` turns the result into text.)

Panels, queries and variables are emitted from what the builder set on the
grafanalib objects (`panels`, `targets`, `variables`), in the keys of Grafana's
current schema, without nulls, every data source `{"type": "prometheus", "uid":
"${datasource}"}`. grafanalib panels without an emitter take `other_panels`; a
panel class of anyone else is a DefinitionError naming the panel. The renderer,
not the definition, assigns panel ids and positions, so the same definition
always gives the same bytes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from grafanalib.core import Panel

from generator.dashboard import Dashboard, Row
from generator.errors import DefinitionError
from generator.grafana.state import MANAGED_TAG
from generator.panels.common import GRID_WIDTH, panel_size
from generator.render.links import link_json
from generator.render.other_panels import is_other_grafanalib_panel, other_panel_json
from generator.render.panels import emit_panel
from generator.render.variables import variable_json

SCHEMA_VERSION = 39


def render_dashboard(dashboard: Dashboard) -> dict[str, Any]:
    """Grafana JSON for `dashboard` (schemaVersion 39; Grafana 10 to 12)."""
    data: dict[str, Any] = {
        "uid": dashboard.uid,
        "title": dashboard.title,
        "tags": sorted({MANAGED_TAG, *dashboard.tags}),
        "timezone": "browser",
        "editable": True,
        "graphTooltip": 1,
        "schemaVersion": SCHEMA_VERSION,
        "time": {"from": dashboard.time_from, "to": "now"},
        "refresh": dashboard.refresh,
        "annotations": {"list": []},
        "links": [link_json(link) for link in dashboard.links],
        "templating": {"list": [variable_json(v) for v in dashboard.variables]},
        "panels": list(_layout(dashboard.rows)),
    }
    if dashboard.description:
        data["description"] = dashboard.description
    data.update(dashboard.extra)
    return data


def _layout(rows: list[Row] | tuple[Row, ...] | Any) -> Iterator[dict[str, Any]]:
    """Place rows top to bottom and panels left to right, wrapping at 24 columns."""
    next_id = 1
    y = 0
    for row in rows:
        row_panel: dict[str, Any] | None = None
        if row.title is not None:
            row_panel = {
                "type": "row",
                "id": next_id,
                "title": row.title,
                "collapsed": row.collapsed,
                "gridPos": {"h": 1, "w": GRID_WIDTH, "x": 0, "y": y},
                "panels": [],
            }
            if row.repeat:
                row_panel["repeat"] = row.repeat
            next_id += 1
            y += 1
            yield row_panel
        x, band_height = 0, 0
        for panel in row.panels:
            w, h = panel_size(panel)
            data = render_panel(panel, next_id)
            next_id += 1
            if x + w > GRID_WIDTH:
                x, y, band_height = 0, y + band_height, 0
            data["gridPos"] = {"h": h, "w": w, "x": x, "y": y}
            x += w
            band_height = max(band_height, h)
            if row_panel is not None and row.collapsed:
                row_panel["panels"].append(data)
            else:
                yield data
        y += band_height


def render_panel(panel: Panel, panel_id: int) -> dict[str, Any]:
    """One panel's JSON with its id; the layout adds its position."""
    data = emit_panel(panel)
    if data is None:
        if not is_other_grafanalib_panel(panel):
            raise DefinitionError(_unknown_panel(panel))
        data = other_panel_json(panel)
    data["id"] = panel_id
    return data


def _unknown_panel(panel: Panel) -> str:
    kind = type(panel).__name__
    return (
        f"panel {panel.title!r} is a {kind}, a panel class meshdash cannot render without "
        f"losing what it adds; use a builder from generator.panels or grafanalib's own "
        f"TimeSeries(...), Stat(...), Table(...), GaugePanel(...) or Text(...)"
    )
