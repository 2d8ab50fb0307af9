"""The build benchmark's bookkeeping (no benchmark runs here)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench import build_bench, report  # noqa: E402
from bench.measure import Target  # noqa: E402

BUILD = {
    "dashboards": 1000,
    "meshdash_full_s": 1.2,
    "grafanalib_full_s": 2.0,
    "ratio_meshdash_over_grafanalib": 0.6,
    "meshdash_full_cpu_s": 1.0,
    "grafanalib_full_cpu_s": 2.5,
    "cpu_ratio_meshdash_over_grafanalib": 0.4,
    "meshdash_peak_rss_mib": 35.0,
    "grafanalib_peak_rss_mib": 22.0,
    "scale_dashboards": 10000,
    "scale_full_s": 12.0,
    "scale_cpu_s": 10.0,
    "scale_peak_rss_mib": 49.0,
    "scale_rss_over_count_rss": 1.4,
    "meshdash_nochange_rebuild_s": 0.1,
    "rebuild_over_full": 0.08,
}


def test_build_targets_are_the_issues_figures() -> None:
    targets = {t.name: t for t in build_bench.targets(BUILD)}

    assert {name: (t.op, t.limit) for name, t in targets.items()} == {
        "build: meshdash/grafanalib time": ("<=", 0.5),
        "build: no-change rebuild/full build": ("<=", 0.10),
        "build: peak RSS 10,000/1,000 dashboards": ("<=", 1.5),
    }
    assert targets["build: meshdash/grafanalib time"].status == "FAIL"  # 0.6 > 0.5
    assert targets["build: peak RSS 10,000/1,000 dashboards"].status == "PASS"


def test_rows_show_the_scale_build_against_the_thousand() -> None:
    rows = {row[0]: row[1:] for row in build_bench.rows(BUILD)}

    assert rows["build 10000 peak RSS (MiB)"] == ("49", "1000 dashboards 35", "1.40")
    assert rows["build 1000 dashboards, CPU (s)"] == ("1.00", "grafanalib 2.50", "0.40")


def test_a_part_run_alone_keeps_the_other_parts_figures(tmp_path: Path) -> None:
    path = tmp_path / "results.json"
    push_target = Target("push: no-change writes (x)", 0, "<=", 0)
    report.write_results(path, tmp_path, {"push": {"seconds": 3}}, [push_target])
    old_build = Target("build: meshdash/grafanalib time", 0.9, "<=", 0.5)
    report.write_results(path, tmp_path, {"build": {"old": True}}, [old_build])

    new_build = Target("build: meshdash/grafanalib time", 0.4, "<=", 0.5)
    report.write_results(path, tmp_path, {"build": BUILD}, [new_build])

    document = json.loads(path.read_text())
    assert document["results"] == {"push": {"seconds": 3}, "build": BUILD}
    assert [(t["name"], t["value"]) for t in document["targets"]] == [
        ("push: no-change writes (x)", 0),
        ("build: meshdash/grafanalib time", 0.4),
    ]
    assert set(document["generated_parts"]) == {"push", "build"}
