"""Every dashboard validates against Grafana's own JSON schemas with zero violations.

The shipped dashboards are checked from their own files; one test checks whatever the
project's `dashboards/` holds (a user's own dashboards too), built and linted as
`make dashboards` and `make validate` would.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from tests.conftest import ROOT, SHIPPED_UIDS


def _definition(schema: dict[str, Any], name: str) -> dict[str, Any]:
    return {"definitions": schema["definitions"], "$ref": f"#/definitions/{name}"}


def _panels(data: dict[str, Any]) -> Iterator[dict[str, Any]]:
    for panel in data["panels"]:
        yield panel
        yield from panel.get("panels", [])


def _violations(data: dict[str, Any], load: Any) -> list[str]:
    found = [
        f"dashboard {'/'.join(map(str, e.absolute_path))}: {e.message}"
        for e in jsonschema.Draft7Validator(load("dashboard")).iter_errors(data)
    ]
    query = jsonschema.Draft7Validator(_definition(load("prometheus"), "Dataquery"))
    for panel in _panels(data):
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
    assert tuple(b.uid for b in shipped) == SHIPPED_UIDS
    for built in shipped:
        assert _violations(built.data, grafana_schema) == [], built.uid


def test_every_dashboard_of_the_project_is_schema_and_lint_clean(
    run_cli, request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Shipped or the user's own: whatever `dashboards/` and the project's settings hold.

    Lint runs first, so that it is checked even where the schemas are absent (a skip).
    """
    monkeypatch.chdir(ROOT)
    out = tmp_path / "dashboards"
    built = run_cli("build", "--out", str(out))
    assert built.exit_code == 0, built.err
    files = sorted(out.glob("*.json"))
    assert {f"{uid}.json" for uid in SHIPPED_UIDS} <= {path.name for path in files}
    linted = run_cli("lint")
    assert linted.exit_code == 0, linted.out + linted.err
    grafana_schema = request.getfixturevalue("grafana_schema")
    for path in files:
        assert _violations(json.loads(path.read_text()), grafana_schema) == [], path.name


def test_the_schema_check_catches_a_broken_panel(shipped, grafana_schema) -> None:
    """The check itself must be able to fail: break one field of each kind and count."""
    import copy

    broken = copy.deepcopy(shipped[1])
    panel = next(p for p in broken.data["panels"] if p["type"] == "timeseries")
    panel["options"]["legend"]["displayMode"] = "sideways"
    panel["fieldConfig"]["defaults"]["custom"]["drawStyle"] = "zigzag"
    panel["targets"][0]["legacyTarget"] = "x"
    broken.data["rows"] = []
    problems = _violations(broken.data, grafana_schema)
    assert len(problems) == 4, problems


@pytest.mark.parametrize("field", ["options", "targets"])
def test_panels_carry_their_plugin_fields(shipped, field) -> None:
    for built in shipped:
        for panel in _panels(built.data):
            if panel["type"] != "row":
                assert panel[field], (built.uid, panel["title"], field)
