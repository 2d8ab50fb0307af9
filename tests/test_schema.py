"""Every shipped dashboard validates against Grafana's own JSON schemas with zero violations."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema
import pytest

from generator.build import BuiltDashboard


def _definition(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return {"definitions": schema["definitions"], "$ref": f"#/definitions/{name}"}


def _panels(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in data["panels"]:
        yield panel
        yield from panel.get("panels", [])


def _violations(built: BuiltDashboard, load: Any) -> list[str]:
    found = [
        f"dashboard {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft7Validator(load("dashboard")).iter_errors(built.data)
    ]
    query = jsonschema.Draft7Validator(_definition(load("prometheus"), "Dataquery"))
    for panel in _panels(built.data):
        if panel["type"] == "row":
            continue
        plugin = load(panel["type"])
        checks = [("options", "Options", panel.get("options", {}))]
        if "FieldConfig" in plugin["definitions"]:
            custom = panel["fieldConfig"]["defaults"].get("custom", {})
            checks.append(("fieldConfig.defaults.custom", "FieldConfig", custom))
        for where, name, value in checks:
            validator = jsonschema.Draft7Validator(_definition(plugin, name))
            found += [
                f"{panel['title']} {where}: {e.message}" for e in validator.iter_errors(value)
            ]
        for target in panel["targets"]:
            found += [
                f"{panel['title']} {target['refId']}: {e.message}"
                for e in query.iter_errors(target)
            ]
    return found


def test_every_shipped_dashboard_has_zero_schema_violations(shipped, grafana_schema) -> None:
    assert [b.uid for b in shipped] == ["meshdash-overview", "meshdash-service"]
    for built in shipped:
        assert _violations(built, grafana_schema) == [], built.uid


def test_the_schema_check_catches_a_broken_panel(shipped, grafana_schema) -> None:
    """The check itself must be able to fail: break one field of each kind and count."""
    import copy

    broken = copy.deepcopy(shipped[1])
    panel = next(p for p in broken.data["panels"] if p["type"] == "timeseries")
    panel["options"]["legend"]["displayMode"] = "sideways"
    panel["fieldConfig"]["defaults"]["custom"]["drawStyle"] = "zigzag"
    panel["targets"][0]["legacyTarget"] = "x"
    broken.data["rows"] = []
    problems = _violations(broken, grafana_schema)
    assert len(problems) == 4, problems


@pytest.mark.parametrize("field", ["options", "targets"])
def test_panels_carry_their_plugin_fields(shipped, field) -> None:
    for built in shipped:
        for panel in _panels(built.data):
            if panel["type"] != "row":
                assert panel[field], (built.uid, panel["title"], field)
