"""Grafana's colours: the classic palette, named colours, overrides by series name, thresholds."""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

from matplotlib.colors import is_color_like

Json = Mapping[str, Any]

#: Grafana's ``palette-classic``, in order.
PALETTE = (
    "#73BF69", "#F2CC0C", "#8AB8FF", "#FF780A", "#F2495C",
    "#5794F2", "#B877D9", "#705DA0", "#37872D", "#FADE2A",
)  # fmt: skip
NAMED = {
    "green": "#73BF69", "semi-dark-green": "#56A64B", "dark-green": "#37872D",
    "light-green": "#96D98D", "red": "#F2495C", "semi-dark-red": "#E02F44",
    "dark-red": "#C4162A", "light-red": "#FF7383", "yellow": "#FADE2A",
    "dark-yellow": "#E0B400", "orange": "#FF9830", "dark-orange": "#FA6400",
    "blue": "#5794F2", "dark-blue": "#1F60C4", "light-blue": "#8AB8FF",
    "purple": "#B877D9", "dark-purple": "#8F3BB8", "text": "#464C54",
}  # fmt: skip
_SHADE = re.compile(r"^(super-light|light|semi-dark|dark)-")


def grafana_color(name: str | None, fallback: str = "#8e8e8e") -> str:
    """A Grafana colour name (``red``, ``semi-dark-green``) or CSS colour as matplotlib takes it."""
    if not name:
        return fallback
    if name in NAMED:
        return NAMED[name]
    base = _SHADE.sub("", name)
    if base in NAMED:
        return NAMED[base]
    return name if is_color_like(name) else fallback


def series_color(panel: Json, name: str, index: int) -> str:
    """The colour of series ``name``: a fixed-colour override matching it, else the palette."""
    fixed = override_property(panel, name, "color")
    if isinstance(fixed, Mapping) and fixed.get("fixedColor"):
        return grafana_color(str(fixed["fixedColor"]))
    return PALETTE[index % len(PALETTE)]


def override_property(panel: Json, name: str, prop: str) -> Any:
    """The last override's value of ``prop`` for a series shown as ``name`` (byName, byRegexp)."""
    found = None
    for override in (panel.get("fieldConfig") or {}).get("overrides") or ():
        if _matches(override.get("matcher") or {}, name):
            for item in override.get("properties") or ():
                if item.get("id") == prop:
                    found = item.get("value")
    return found


def threshold_color(panel: Json, value: float, bounds: tuple[float, float] = (0.0, 100.0)) -> str:
    """The colour of the highest threshold step at or below ``value``.

    In ``percentage`` mode the steps are percent of the field's range: its
    ``min``/``max`` when set, else ``bounds`` (the data's own, as Grafana does).
    """
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    thresholds = defaults.get("thresholds") or {}
    if thresholds.get("mode") == "percentage" and not math.isnan(value):
        low = float(defaults.get("min", bounds[0]))
        high = float(defaults.get("max", bounds[1]))
        value = 100 * (value - low) / (high - low) if high > low else 100.0
    color = None
    for step in thresholds.get("steps") or []:
        limit = step.get("value")
        if limit is None or (not math.isnan(value) and value >= float(limit)):
            color = step.get("color")
    return grafana_color(color, PALETTE[0])


def _matches(matcher: Json, name: str) -> bool:
    kind, option = matcher.get("id"), str(matcher.get("options") or "")
    if kind == "byName":
        return option == name
    if kind == "byRegexp":
        try:
            return re.search(option.strip("/"), name) is not None
        except re.error:
            return False
    return False
