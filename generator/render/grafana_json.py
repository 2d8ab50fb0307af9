"""The one place grafanalib objects become Grafana JSON: clean and deterministic.

(`generator.render.jsontext` turns the result into text.)

grafanalib's `to_json_data()` carries legacy fields (`rows`, `span`, Graphite
`target`, ...) and dozens of `null`s. Here each object is reduced to the keys
Grafana's current schema knows, nulls are dropped, datasources become
`{"type": "prometheus", "uid": "${datasource}"}`, and the renderer, not the
definition, assigns panel ids and positions, so the same definition always
gives the same bytes.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from grafanalib._gen import DashboardEncoder
from grafanalib.core import Panel, Template

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.grafana.state import MANAGED_TAG
from generator.panels.common import GRID_WIDTH, panel_size
from generator.variables import ALL, DATASOURCE_REF

SCHEMA_VERSION = 39

PANEL_KEYS = frozenset(
    [
        "datasource",
        "description",
        "fieldConfig",
        "gridPos",
        "id",
        "interval",
        "links",
        "maxDataPoints",
        "maxPerRow",
        "options",
        "repeat",
        "repeatDirection",
        "targets",
        "timeFrom",
        "timeShift",
        "title",
        "transformations",
        "transparent",
        "type",
    ]
)
TARGET_KEYS = frozenset(
    ["datasource", "editorMode", "expr", "format", "instant", "legendFormat", "range", "refId"]
)
VARIABLE_KEYS = frozenset(
    [
        "allValue",
        "current",
        "datasource",
        "description",
        "hide",
        "includeAll",
        "label",
        "multi",
        "name",
        "options",
        "query",
        "refresh",
        "regex",
        "skipUrlSync",
        "sort",
        "type",
    ]
)
FIELD_DEFAULT_KEYS = frozenset(
    ["color", "custom", "decimals", "mappings", "max", "min", "thresholds", "unit"]
)
TIMESERIES_CUSTOM_KEYS = frozenset(
    [
        "axisLabel",
        "axisPlacement",
        "axisSoftMax",
        "axisSoftMin",
        "barAlignment",
        "drawStyle",
        "fillOpacity",
        "gradientMode",
        "hideFrom",
        "lineInterpolation",
        "lineWidth",
        "pointSize",
        "scaleDistribution",
        "showPoints",
        "spanNulls",
        "thresholdsStyle",
    ]
)
BASE_THRESHOLDS = {"mode": "absolute", "steps": [{"color": "green", "value": None}]}


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
        "links": [_link(link) for link in dashboard.links],
        "templating": {"list": [_variable(v) for v in dashboard.variables]},
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
            data = _panel(panel, next_id)
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


class _NotPlain(Exception):
    """A value the direct walk leaves to grafanalib's own encoder."""


def _plain(obj: Any) -> Any:
    """grafanalib object -> plain JSON values without nulls.

    A direct walk calling `to_json_data()`, about twice as fast as a round trip
    through grafanalib's JSON encoder; anything unusual takes that round trip.
    """
    try:
        return _walk(obj)
    except _NotPlain:
        return _drop_nulls(json.loads(json.dumps(obj, cls=DashboardEncoder)))


#: Values kept as they are; checked by exact type first, the walk's most common case
_LEAVES = frozenset([str, int, float, bool])


def _walk(value: Any) -> Any:
    kind = type(value)
    if kind in _LEAVES or value is None:
        return value
    if kind is dict or isinstance(value, dict):
        out = {}
        for key, item in value.items():
            if type(key) is not str and not isinstance(key, str):
                raise _NotPlain
            # Leaves stay inline: a call per leaf was most of the walk's time.
            if type(item) not in _LEAVES:
                item = _walk(item)
            if item is not None:
                out[key] = item
        return out
    if isinstance(value, str | int | float):
        return value
    if isinstance(value, list | tuple):
        return [item for item in map(_walk, value) if item is not None]
    to_json_data = getattr(value, "to_json_data", None)
    if to_json_data is None:
        raise _NotPlain
    return _walk(to_json_data())


def _drop_nulls(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _drop_nulls(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_drop_nulls(v) for v in value if v is not None]
    return value


def _panel(panel: Panel, panel_id: int) -> dict[str, Any]:
    raw = _plain(panel.to_json_data())
    data = {k: v for k, v in raw.items() if k in PANEL_KEYS}
    data["id"] = panel_id
    data["datasource"] = dict(DATASOURCE_REF)
    data["targets"] = [_target(t) for t in raw.get("targets", [])]
    data["links"] = [_panel_link(link) for link in raw.get("links", [])]
    for empty in ("links", "transformations"):
        if not data.get(empty):
            data.pop(empty, None)
    if not data.get("transparent"):
        data.pop("transparent", None)
    data.pop("maxDataPoints", None)
    data["fieldConfig"] = _field_config(data["type"], raw.get("fieldConfig", {}))
    data["options"] = _options(data["type"], raw.get("options", {}), raw)
    return data


def _target(raw: dict[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in raw.items() if k in TARGET_KEYS}
    data["datasource"] = dict(DATASOURCE_REF)
    data["editorMode"] = "code"
    if raw.get("instant"):
        data.update(instant=True, range=False, format="table")
    else:
        data.update(range=True, format="time_series")
        data.pop("instant", None)
    return data


def _field_config(panel_type: str, raw: dict[str, Any]) -> dict[str, Any]:
    defaults = {k: v for k, v in raw.get("defaults", {}).items() if k in FIELD_DEFAULT_KEYS}
    custom = defaults.get("custom", {})
    if panel_type == "timeseries":
        custom = {k: v for k, v in custom.items() if k in TIMESERIES_CUSTOM_KEYS}
        custom["stacking"] = {"group": "A", "mode": "none"}
    elif panel_type == "table":
        # No cellOptions: Grafana's default is "auto", and the schema's oneOf cannot
        # tell {"type": "auto"} from its color-text and colored-background branches.
        custom = {
            "align": "auto",
            "inspect": False,
            "filterable": bool(custom.get("filterable", False)),
        }
    defaults["custom"] = custom
    defaults["thresholds"] = _thresholds(defaults.get("thresholds", {}).get("steps", []))
    # A stat is colored by its thresholds; series panels by the palette.
    defaults.setdefault(
        "color", {"mode": "thresholds" if panel_type == "stat" else "palette-classic"}
    )
    if not defaults.get("unit"):
        defaults.pop("unit", None)
    return {"defaults": defaults, "overrides": raw.get("overrides", [])}


def _thresholds(steps: list[dict[str, Any]]) -> dict[str, Any]:
    """Absolute steps of color and value; Grafana wants the base step's value as null."""
    if not steps:
        return BASE_THRESHOLDS
    clean = [{"color": step["color"], "value": step.get("value")} for step in steps]
    clean[0]["value"] = None
    return {"mode": "absolute", "steps": clean}


def _options(panel_type: str, raw: dict[str, Any], panel: dict[str, Any]) -> dict[str, Any]:
    if panel_type == "timeseries":
        legend = raw.get("legend", {})
        return {
            "legend": {
                "calcs": legend.get("calcs", []),
                "displayMode": legend.get("displayMode", "list"),
                "placement": legend.get("placement", "bottom"),
                "showLegend": True,
            },
            "tooltip": raw.get("tooltip", {"mode": "single", "sort": "none"}),
        }
    if panel_type == "stat":
        return {
            "colorMode": raw.get("colorMode", "value"),
            "graphMode": raw.get("graphMode", "area"),
            "justifyMode": raw.get("justifyMode", "auto"),
            "orientation": raw.get("orientation", "auto"),
            "percentChangeColorMode": "standard",
            "reduceOptions": raw.get("reduceOptions", {"calcs": ["lastNotNull"]}),
            "showPercentChange": False,
            "textMode": raw.get("textMode", "auto"),
            "wideLayout": True,
        }
    if panel_type == "table":
        options: dict[str, Any] = {
            "frameIndex": 0,
            "showHeader": raw.get("showHeader", True),
            "cellHeight": "sm",
        }
        if raw.get("sortBy"):
            options["sortBy"] = raw["sortBy"]
        return options
    if panel_type == "gauge":
        return _gauge_options(raw, panel.get("fieldConfig", {}))
    return raw


def _gauge_options(raw: dict[str, Any], field_config: dict[str, Any]) -> dict[str, Any]:
    """grafanalib's GaugePanel puts its options in `fieldConfig`; Grafana reads them here."""
    calcs = field_config.get("defaults", {}).get("calcs", ["lastNotNull"])
    return {
        "minVizHeight": 75,
        "minVizWidth": 75,
        "orientation": raw.get("orientation", "auto"),
        "reduceOptions": raw.get("reduceOptions", {"calcs": calcs}),
        "showThresholdLabels": bool(field_config.get("showThresholdLabels", False)),
        "showThresholdMarkers": bool(field_config.get("showThresholdMarkers", True)),
        "sizing": "auto",
    }


def _variable(template: Template) -> dict[str, Any]:
    raw = _plain(template.to_json_data())
    data = {k: v for k, v in raw.items() if k in VARIABLE_KEYS}
    if data.get("type") == "datasource":
        data.pop("datasource", None)
        data.pop("regex", None)
    else:
        data["datasource"] = dict(DATASOURCE_REF)
    if not data.get("allValue"):
        data.pop("allValue", None)
    if not data.get("regex"):
        data.pop("regex", None)
    data["options"] = []
    data.pop("current", None)
    if raw.get("current", {}).get("value") == ALL:
        data["current"] = {"selected": True, "text": ["All"], "value": [ALL]}
    return data


def _panel_link(link: dict[str, Any]) -> dict[str, Any]:
    """A panel link in the schema's DashboardLink shape (Grafana reads title and url)."""
    return _link(DashboardLink(title=link["title"], url=link["url"], keep_time=False))


def _link(link: DashboardLink) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": link.title,
        "type": "link" if link.url else "dashboards",
        "asDropdown": not link.url,
        "icon": "external link" if link.url else "dashboard",
        "includeVars": link.include_vars,
        "keepTime": link.keep_time,
        "tags": list(link.tags),
        "targetBlank": False,
        "tooltip": "",
        "url": link.url or "",
    }
    return data
