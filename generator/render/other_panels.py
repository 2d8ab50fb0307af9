"""The fallback for grafanalib panels without an emitter (BarGauge, PieChartv2, Heatmap, ...).

Such a panel is rendered through its own `to_json_data()`, reduced to what Grafana's
schema knows: its plugin type, `options` as grafanalib wrote them, and the
`fieldConfig` defaults below. What every panel carries (title, queries, links, repeat)
comes from its attributes, as for every other panel.
"""

from __future__ import annotations

from typing import Any

from grafanalib.core import Panel

from generator.render.panels import PALETTE, common_json, thresholds_json
from generator.render.plain import plain_json

#: The `fieldConfig.defaults` keys of Grafana's schema that grafanalib's panels write
FIELD_DEFAULT_KEYS = frozenset(
    ["color", "custom", "decimals", "mappings", "max", "min", "thresholds", "unit"]
)


def is_other_grafanalib_panel(panel: Panel) -> bool:
    """A panel class of grafanalib's own that writes its JSON (the base `Panel` does not)."""
    kind = type(panel)
    return kind.__module__.split(".")[0] == "grafanalib" and hasattr(kind, "to_json_data")


def other_panel_json(panel: Panel) -> dict[str, Any]:
    """The panel's JSON (without id and position) from its `to_json_data()`."""
    raw = plain_json(panel.to_json_data())
    data = common_json(panel)
    data["type"] = raw.get("type")
    data["fieldConfig"] = _field_config(panel.title, raw.get("fieldConfig", {}))
    data["options"] = raw.get("options", {})
    return data


def _field_config(title: str, raw: dict[str, Any]) -> dict[str, Any]:
    defaults = {k: v for k, v in raw.get("defaults", {}).items() if k in FIELD_DEFAULT_KEYS}
    thresholds = defaults.get("thresholds", {})
    defaults["custom"] = defaults.get("custom", {})
    defaults["thresholds"] = thresholds_json(title, thresholds.get("steps"), thresholds.get("mode"))
    defaults.setdefault("color", dict(PALETTE))
    if not defaults.get("unit"):
        defaults.pop("unit", None)
    return {"defaults": defaults, "overrides": raw.get("overrides", [])}
