"""Dashboard variables (grafanalib `Template`s) -> the schema's VariableModel."""

from __future__ import annotations

from typing import Any

from grafanalib.core import Template

from generator.variables import ALL, DATASOURCE_REF

#: Template attributes emitted as they are when set
_AS_SET = ("name", "label", "type", "query", "hide", "refresh", "sort", "multi", "includeAll")


def variable_json(template: Template) -> dict[str, Any]:
    """One variable; its options are left for Grafana to query, so none are stored."""
    data: dict[str, Any] = {
        key: value for key in _AS_SET if (value := getattr(template, key)) is not None
    }
    data["options"] = []
    if template.type != "datasource":
        data["datasource"] = dict(DATASOURCE_REF)
        if template.regex:
            data["regex"] = template.regex
    if template.allValue:
        data["allValue"] = template.allValue
    if _selects_all(template):
        data["current"] = {"selected": True, "text": ["All"], "value": [ALL]}
    return data


def _selects_all(template: Template) -> bool:
    # grafanalib derives `_current` from `default` (a custom variable: the selected option).
    current = getattr(template, "_current", None) or {}
    return isinstance(current, dict) and current.get("value") == ALL
