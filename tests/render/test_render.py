"""The rendered JSON is clean, deterministic and matches the golden files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import ROOT, SHIPPED_UIDS

GOLDEN = Path(__file__).parent.parent / "golden"
LEGACY_FIELDS = {
    "rows",
    "sharedCrosshair",
    "hideControls",
    "style",
    "__inputs",
    "time_options",
    "target",
    "span",
    "timePicker",
    "minSpan",
    "height",
    "error",
}


def _walk(value: Any, path: str = "") -> list[tuple[str, Any]]:
    """Every (path, value) pair of a JSON document."""
    pairs = [(path, value)]
    if isinstance(value, dict):
        for key, item in value.items():
            pairs += _walk(item, f"{path}/{key}")
    elif isinstance(value, list):
        for index, item in enumerate(value):
            pairs += _walk(item, f"{path}/{index}")
    return pairs


def test_golden_json_for_each_shipped_dashboard(shipped) -> None:
    """Regenerate with `UPDATE_GOLDEN=1 make test` after an intended change."""
    for built in shipped:
        golden = GOLDEN / built.filename
        if os.environ.get("UPDATE_GOLDEN"):
            golden.write_text(built.text())
        assert golden.exists(), f"no golden file {golden}; run with UPDATE_GOLDEN=1"
        assert built.text() == golden.read_text(), f"{built.uid} differs from {golden}"


def test_two_builds_in_fresh_processes_are_byte_identical(tmp_path, shipped_dir) -> None:
    outputs = []
    for index, seed in enumerate(("1", "2")):
        out = tmp_path / f"out{index}"
        env = {**os.environ, "PYTHONHASHSEED": seed}
        subprocess.run(
            [
                sys.executable,
                "-m",
                "generator.cli",
                "build",
                "--dashboards",
                str(shipped_dir),
                "--out",
                str(out),
            ],
            check=True,
            cwd=ROOT,
            env=env,
            capture_output=True,
        )
        outputs.append({p.name: p.read_bytes() for p in sorted(out.glob("*.json"))})
    assert sorted(outputs[0]) == [f"{uid}.json" for uid in SHIPPED_UIDS]
    assert outputs[0] == outputs[1]


def test_text_is_sorted_indented_and_ends_with_a_newline(shipped) -> None:
    for built in shipped:
        text = built.text()
        assert text.endswith("}\n") and not text.endswith("\n\n")
        assert (
            text
            == json.dumps(json.loads(text), sort_keys=True, indent=2, ensure_ascii=False) + "\n"
        )


def test_no_nulls_except_the_base_threshold_step(shipped) -> None:
    for built in shipped:
        nulls = [path for path, value in _walk(built.data) if value is None]
        assert nulls, "the base threshold step must be null"
        assert all(p.endswith("/thresholds/steps/0/value") for p in nulls), nulls


def test_no_legacy_grafanalib_fields(shipped) -> None:
    for built in shipped:
        keys = {path.rsplit("/", 1)[-1] for path, _ in _walk(built.data)}
        # "target" must not appear as a key; "targets" is fine
        assert not keys & LEGACY_FIELDS, keys & LEGACY_FIELDS


def test_every_datasource_is_the_datasource_variable(shipped) -> None:
    for built in shipped:
        refs = [value for path, value in _walk(built.data) if path.endswith("/datasource")]
        assert refs, built.uid
        assert all(ref == {"type": "prometheus", "uid": "${datasource}"} for ref in refs), refs


def test_ids_are_unique_and_panels_do_not_overlap(shipped) -> None:
    for built in shipped:
        panels = [p for p in built.data["panels"]]
        ids = [p["id"] for p in panels]
        assert ids == list(range(1, len(ids) + 1))
        cells = set()
        for panel in panels:
            g = panel["gridPos"]
            assert g["x"] + g["w"] <= 24
            for x in range(g["x"], g["x"] + g["w"]):
                for y in range(g["y"], g["y"] + g["h"]):
                    assert (x, y) not in cells, (built.uid, panel["title"])
                    cells.add((x, y))


def test_dashboard_identity_and_schema_version(shipped) -> None:
    for built in shipped:
        data = built.data
        assert data["uid"] == built.uid and len(built.uid) <= 40
        assert data["schemaVersion"] >= 39
        assert "meshdash" in data["tags"]


@pytest.mark.parametrize("name", ["service", "upstream"])
def test_mesh_variables_are_multi_with_all_and_refresh_on_time_range(shipped, name) -> None:
    service = next(b for b in shipped if b.uid == "meshdash-service")
    variable = next(v for v in service.data["templating"]["list"] if v["name"] == name)
    assert variable["regex"] == '/consul_destination_service="([^"]*).*/'
    assert variable["multi"] and variable["includeAll"] and variable["allValue"] == ".+"
    assert variable["refresh"] == 2


def test_upstream_variable_is_chained_on_service(shipped) -> None:
    service = next(b for b in shipped if b.uid == "meshdash-service")
    variables = {v["name"]: v for v in service.data["templating"]["list"]}
    assert variables["service"]["query"] == (
        "query_result(count by (consul_destination_service) (envoy_cluster_upstream_cx_total))"
    )
    assert variables["upstream"]["query"] == (
        "query_result(count by (consul_destination_service) "
        '(envoy_cluster_upstream_cx_total{consul_source_service=~"$service"}))'
    )
