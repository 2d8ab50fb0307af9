"""The benchmark harness's own helpers (no benchmark runs here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from grafanalib import core as g

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import defs, push_bench, synthetic_mesh  # noqa: E402
from bench.measure import Target, median  # noqa: E402


@pytest.mark.parametrize(
    ("value", "op", "limit", "status"),
    [
        (0.9, "<=", 1.0, "PASS"),
        (1.0, "<=", 1.0, "PASS"),
        (1.01, "<=", 1.0, "FAIL"),
        (4.0, ">=", 4.0, "PASS"),
        (3.9, ">=", 4.0, "FAIL"),
        (None, ">=", 4.0, "NOT MEASURED"),
    ],
)
def test_target_status(value: float | None, op: str, limit: float, status: str) -> None:
    target = Target("t", value, op, limit)
    assert target.status == status
    assert target.as_json()["status"] == status


def test_median_of_three_ignores_the_outlier() -> None:
    assert median([1.0, 9.0, 2.0]) == 2.0


def test_to_source_rebuilds_an_equal_grafanalib_object() -> None:
    panel = g.TimeSeries(
        title="t",
        targets=[g.Target(expr='up{job="x"}', legendFormat="{{job}}", refId="A")],
        gridPos=g.GridPos(h=8, w=12, x=0, y=1),
        unit="reqps",
        legendCalcs=["mean"],
    )
    rebuilt = eval(defs.to_source(panel), {"g": g})  # the generated grafanalib source
    assert rebuilt.to_json_data() == panel.to_json_data()
    assert "maxDataPoints" not in defs.to_source(panel)  # defaults are left out


def test_panel_exprs_lists_rows_and_targets_in_order() -> None:
    data = {
        "panels": [
            {"type": "row", "title": "R"},
            {"title": "P", "targets": [{"expr": "a"}, {"expr": "b"}]},
        ]
    }
    assert defs.panel_exprs(data) == [("R", []), ("P", ["a", "b"])]


def test_changed_copy_changes_every_hundredth_dashboard(tmp_path: Path) -> None:
    source = tmp_path / "built"
    source.mkdir()
    for i in range(250):
        panels = [{"type": "row", "title": "r"}, {"type": "timeseries", "title": f"p{i}"}]
        (source / f"d{i:03d}.json").write_text(json.dumps({"uid": f"d{i}", "panels": panels}))
    (source / ".meshdash-manifest").write_text('{"files": {}}')
    assert push_bench.changed_copy(source, tmp_path / "changed") == 3
    assert (tmp_path / "changed" / ".meshdash-manifest").read_text() == '{"files": {}}'
    titles = {
        p.name: json.loads(p.read_text())["panels"][1]["title"]
        for p in (tmp_path / "changed").glob("*.json")
    }
    assert sorted(n for n, t in titles.items() if t.endswith("(changed)")) == [
        "d000.json",
        "d100.json",
        "d200.json",
    ]


def test_synthetic_mesh_has_every_service_called_twice() -> None:
    sidecars = synthetic_mesh.sidecars(20)
    called = [c.destination for s in sidecars for c in s.clusters if c.destination]
    assert sorted(set(called)) == [synthetic_mesh.service_name(i) for i in range(20)]
    assert all(called.count(name) == 2 for name in set(called))


def test_families_used_keeps_histograms_named_by_bucket() -> None:
    queries = ["histogram_quantile(0.9, rate(envoy_cluster_upstream_rq_time_bucket[1m]))"]
    assert synthetic_mesh.families_used(queries, 5) == {"envoy_cluster_upstream_rq_time"}
