"""Grafana's value mappings: a value shown as a text and/or a colour instead of its number.

Mirrors ``getValueMappingResult`` (packages/grafana-data/src/utils/valueMappings.ts):
the first mapping that matches wins; ``value`` matches the value's text,
``range`` ``from <= value <= to`` (either bound may be missing), ``regex`` the
value's text, ``special`` null/NaN, true/false or empty.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any

Json = Mapping[str, Any]


def mapped(panel: Json, value: float) -> tuple[str | None, str | None]:
    """The text and colour the panel's mappings give ``value`` (None where they give none)."""
    defaults = (panel.get("fieldConfig") or {}).get("defaults") or {}
    for mapping in defaults.get("mappings") or ():
        result = _match(mapping, value)
        if result is not None:
            text, color = result.get("text"), result.get("color")
            return (None if text is None else str(text)), (None if color is None else str(color))
    return None, None


def _match(mapping: Json, value: float) -> Json | None:
    kind, options = mapping.get("type"), mapping.get("options") or {}
    text = _text(value)
    if kind == "value":
        found = options.get(text)
        return dict(found) if isinstance(found, Mapping) else None
    if kind == "range":
        low, high = options.get("from"), options.get("to")
        inside = (
            not math.isnan(value)
            and (low is None or value >= float(low))
            and (high is None or value <= float(high))
        )
        return dict(options.get("result") or {}) if inside else None
    if kind == "regex":
        try:
            hit = re.search(str(options.get("pattern") or ""), text)
        except re.error:
            return None
        return dict(options.get("result") or {}) if hit else None
    if kind == "special" and options.get("match") in {"null", "nan", "null+nan"}:
        return dict(options.get("result") or {}) if math.isnan(value) else None
    return None


def _text(value: float) -> str:
    """The value as JavaScript prints a number: ``1`` not ``1.0``."""
    if math.isnan(value):
        return "NaN"
    return str(int(value)) if value.is_integer() else repr(value)
