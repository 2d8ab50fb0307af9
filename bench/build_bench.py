"""Part 1: `meshdash build` of N service dashboards against grafanalib's `generate-dashboards`.

A full build starts from nothing: no output files and no `__pycache__` for the
definitions (a fresh CI checkout). The no-change rebuild runs `meshdash build`
again over its own output, as a developer's second `make dashboards` would.
Runs alternate between the two tools so that drift of a shared machine hits both.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import defs
from bench.measure import BenchError, ChildRun, Target, median, run_child
from generator.build import build_dashboards
from generator.loader import load_dashboards


@dataclass(frozen=True)
class BuildSetup:
    work: Path
    meshdash_defs: Path
    meshdash_out: Path
    grafanalib_defs: Path
    grafanalib_files: list[Path]


def prepare(work: Path, count: int) -> BuildSetup:
    """Write N meshdash definitions and the N equivalent grafanalib ones."""
    root = work / "build"
    shutil.rmtree(root, ignore_errors=True)
    meshdash_defs = root / "meshdash-dashboards"
    defs.write_meshdash_definitions(meshdash_defs, defs.service_names(count))
    loaded = load_dashboards(meshdash_defs)
    built = build_dashboards(meshdash_defs)
    grafanalib_defs = root / "grafanalib-dashboards"
    files = defs.write_grafanalib_definitions(
        grafanalib_defs, [(item.dashboard, b) for item, b in zip(loaded, built, strict=True)]
    )
    _clear_pycache(meshdash_defs)
    return BuildSetup(root, meshdash_defs, root / "meshdash-out", grafanalib_defs, files)


def _clear_pycache(directory: Path) -> None:
    shutil.rmtree(directory / "__pycache__", ignore_errors=True)


def meshdash_build(setup: BuildSetup, venv_bin: Path, *, fresh: bool) -> ChildRun:
    if fresh:
        shutil.rmtree(setup.meshdash_out, ignore_errors=True)
        _clear_pycache(setup.meshdash_defs)
    argv = [str(venv_bin / "meshdash"), "build", "--dashboards", str(setup.meshdash_defs)]
    return run_child([*argv, "--out", str(setup.meshdash_out)], cwd=setup.work)


def grafanalib_build(setup: BuildSetup, venv_bin: Path) -> ChildRun:
    for path in setup.grafanalib_defs.glob("*.json"):
        path.unlink()
    _clear_pycache(setup.grafanalib_defs)
    argv = [str(venv_bin / "generate-dashboards"), *map(str, setup.grafanalib_files)]
    return run_child(argv, cwd=setup.work)


def check_equivalent(setup: BuildSetup) -> int:
    """Both outputs hold the same panels and PromQL; returns how many dashboards were compared."""
    pairs = [
        (
            setup.meshdash_out
            / f"{path.name.removesuffix('.dashboard.py').replace('_', '-')}.json",
            path.with_name(path.name.removesuffix(".dashboard.py") + ".json"),
        )
        for path in setup.grafanalib_files
    ]
    missing = [str(p) for pair in pairs for p in pair if not p.is_file()]
    if missing:
        raise BenchError(f"build output missing: {missing[:3]}")
    differ = defs.all_same(pairs)
    if differ:
        raise BenchError(f"meshdash and grafanalib outputs differ for {differ[:3]}")
    return len(pairs)


def run(work: Path, venv_bin: Path, *, count: int, repeats: int) -> dict[str, Any]:
    setup = prepare(work, count)
    full: list[ChildRun] = []
    other: list[ChildRun] = []
    for _ in range(repeats):
        full.append(meshdash_build(setup, venv_bin, fresh=True))
        other.append(grafanalib_build(setup, venv_bin))
    compared = check_equivalent(setup)
    rebuild = [meshdash_build(setup, venv_bin, fresh=False) for _ in range(repeats)]
    if any("wrote" in r.stdout for r in rebuild):
        raise BenchError("a no-change rebuild wrote files; the outputs are not stable")
    meshdash_s = median([r.seconds for r in full])
    grafanalib_s = median([r.seconds for r in other])
    rebuild_s = median([r.seconds for r in rebuild])
    return {
        "dashboards": compared,
        "panels_per_dashboard": 9,
        "repeats": repeats,
        "meshdash_full_s": meshdash_s,
        "grafanalib_full_s": grafanalib_s,
        "ratio_meshdash_over_grafanalib": meshdash_s / grafanalib_s,
        "meshdash_peak_rss_mib": max(r.max_rss_kib for r in full) / 1024,
        "grafanalib_peak_rss_mib": max(r.max_rss_kib for r in other) / 1024,
        "rss_method": full[0].rss_method,
        "meshdash_nochange_rebuild_s": rebuild_s,
        "rebuild_over_full": rebuild_s / meshdash_s,
        "runs_s": {
            "meshdash_full": [r.seconds for r in full],
            "grafanalib_full": [r.seconds for r in other],
            "meshdash_nochange_rebuild": [r.seconds for r in rebuild],
        },
    }


TARGET_LIMITS = (
    ("build: meshdash/grafanalib time", 1.0),
    ("build: no-change rebuild/full build", 0.10),
)


def targets(result: dict[str, Any]) -> list[Target]:
    values = (result["ratio_meshdash_over_grafanalib"], result["rebuild_over_full"])
    return [
        Target(name, value, "<=", limit)
        for (name, limit), value in zip(TARGET_LIMITS, values, strict=True)
    ]
