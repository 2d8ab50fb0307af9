"""`meshdash lint --from`: Grafana dashboard JSON in the shapes people have, linted offline."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.promql.foreign import load_foreign, normalize

FOREIGN = Path(__file__).parent.parent / "foreign"


def _lint(run_cli: Any, *paths: Path) -> tuple[Any, list[dict[str, Any]]]:
    result = run_cli("lint", "--format", "json", "--from", *map(str, paths))
    return result, json.loads(result.out)


def _codes(problems: list[dict[str, Any]], uid: str) -> list[tuple[str, str | None]]:
    return sorted(
        (p["code"], p["location"].get("panel_title"))
        for p in problems
        if p["location"]["dashboard_uid"] == uid and p["severity"] == "bug"
    )


def test_the_bugs_planted_in_each_shape_are_found(run_cli: Any) -> None:
    result, problems = _lint(run_cli, FOREIGN)
    assert result.exit_code == 1
    # collapsed row, target data source as a uid string, the dashboard's own $ds variable
    assert _codes(problems, "api-wrapper") == [
        ("MD106", "Calls from $caller"),
        ("MD304", "Calls from $caller"),
        ("MD304", "Calls from $caller"),
    ]
    # legacy rows layout: the panel in the collapsed second row is linted
    assert _codes(problems, "legacy-rows") == [("MD105", "Dropped legend label")]
    # ${DS_PROMETHEUS} placeholders, no data source variable: no MD201, MD204 or MD304
    assert _codes(problems, "export-external") == []
    assert _codes(problems, "istio-style") == []


def test_meshdash_only_rules_speak_the_dashboards_own_variable(run_cli: Any) -> None:
    _, problems = _lint(run_cli, FOREIGN / "api_wrapper.json")
    messages = {p["message"] for p in problems if p["code"] == "MD304"}
    assert messages == {
        'panel data source is \'P1809F7CD0C75ACF3\'; use {"type": "prometheus", "uid": "${ds}"}',
        'target data source is \'P1809F7CD0C75ACF3\'; use {"type": "prometheus", "uid": "${ds}"}',
    }
    assert not [p for p in problems if p["code"] == "MD204"]


def test_non_prometheus_targets_and_ad_hoc_filters_are_skipped_with_a_note(run_cli: Any) -> None:
    result = run_cli("lint", "--from", str(FOREIGN / "export_external.json"))
    notes = [line for line in result.out.splitlines() if line.startswith("note: ")]
    path = FOREIGN / "export_external.json"
    assert notes == [
        f"note: {path}: panel 'Sidecar logs' A: data source loki is not Prometheus; skipped",
        f"note: {path}: ad hoc filter $Filters skipped (it adds matchers only at view time)",
    ]
    assert 'Sidecar logs" (id 3) target' not in result.out


@pytest.mark.parametrize(
    ("text", "error"),
    [
        ("", "empty file; give a Grafana dashboard JSON export"),
        ('{"panels": [', "not valid JSON (line 1: Expecting value)"),
        ('{"name": "prometheus"}', "not a Grafana dashboard (no panels or rows)"),
        ("[1, 2]", "not a Grafana dashboard (no panels or rows)"),
    ],
)
def test_a_bad_file_is_one_line_exit_2_and_the_others_are_still_linted(
    run_cli: Any, tmp_path: Path, text: str, error: str
) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text(text)
    result, problems = _lint(run_cli, FOREIGN / "legacy_rows.json", bad)
    assert result.exit_code == 2
    [line] = result.err.splitlines()
    assert line.startswith(f"meshdash: error: {bad}: {error}")
    assert _codes(problems, "legacy-rows") == [("MD105", "Dropped legend label")]


def test_every_bad_file_gets_its_own_line(run_cli: Any, tmp_path: Path) -> None:
    for name in ("a.json", "b.json"):
        (tmp_path / name).write_text("{}")
    result = run_cli("lint", "--from", str(tmp_path), str(tmp_path / "missing.json"))
    assert result.exit_code == 2
    assert [line.split(": ")[2] for line in result.err.splitlines()] == [
        str(tmp_path / "a.json"),
        str(tmp_path / "b.json"),
        str(tmp_path / "missing.json"),
    ]


def test_the_api_wrapper_and_legacy_rows_read_as_modern_panels() -> None:
    wrapped = load_foreign(FOREIGN / "api_wrapper.json")
    assert (wrapped.uid, wrapped.title) == ("api-wrapper", "Fetched from the HTTP API")
    data, _ = normalize(json.loads((FOREIGN / "legacy_rows.json").read_text()))
    assert "rows" not in data
    assert [(p["type"], p["title"], len(p["panels"])) for p in data["panels"]] == [
        ("row", "Inbound", 2),
        ("row", "Legend", 1),
    ]


def test_an_export_placeholder_becomes_its_plugin() -> None:
    data, _ = normalize(json.loads((FOREIGN / "export_external.json").read_text()))
    panel = data["panels"][0]
    assert panel["datasource"] == {"type": "prometheus", "uid": "DS_PROMETHEUS"}
    assert data["panels"][2]["targets"] == []
