"""Part 1: `meshdash build` of N service dashboards against grafanalib's `generate-dashboards`.

A full build starts from nothing: no output files and no `__pycache__` for the
definitions (a fresh CI checkout). The no-change rebuild runs `meshdash build`
again over its own output, as a developer's second `make dashboards` would.
Runs alternate between the two tools so that drift of a shared machine hits both;
CPU seconds are recorded beside wall time, being less sensitive to that drift.
At scale, one full build of 10,000 definitions measures the streaming build's
peak memory against that of the 1,000 (the build holds one file at a time).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bench import defs
from bench.measure import BenchError, ChildRun, Target, median, run_child
from generator.loader import load_dashboards
from generator.outputs.build import build_dashboards


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
        grafanalib_defs, list(zip(loaded, built, strict=True))
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


def scale_build(work: Path, venv_bin: Path, count: int) -> ChildRun:
    """One full `meshdash build` of `count` service definitions; its files are removed after."""
    root = work / "build-scale"
    shutil.rmtree(root, ignore_errors=True)
    definitions = root / "dashboards"
    defs.write_meshdash_definitions(definitions, defs.service_names(count))
    argv = [str(venv_bin / "meshdash"), "build", "--dashboards", str(definitions)]
    try:
        child = run_child([*argv, "--out", str(root / "out")], cwd=root)
        built = len(list((root / "out").glob("*.json")))
    finally:
        shutil.rmtree(root, ignore_errors=True)
    if built != count:
        raise BenchError(f"the build of {count} definitions wrote {built} files")
    return child


def run(
    work: Path, venv_bin: Path, *, count: int, repeats: int, scale: int = 10_000
) -> dict[str, Any]:
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
    meshdash_cpu = median([r.cpu_seconds for r in full])
    grafanalib_cpu = median([r.cpu_seconds for r in other])
    large = scale_build(work, venv_bin, scale)
    # The smallest of the 1,000-dashboard peaks: the ratio errs on the strict side.
    small_rss_mib = min(r.max_rss_kib for r in full) / 1024
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
        "meshdash_full_cpu_s": meshdash_cpu,
        "grafanalib_full_cpu_s": grafanalib_cpu,
        "cpu_ratio_meshdash_over_grafanalib": meshdash_cpu / grafanalib_cpu,
        "scale_dashboards": scale,
        "scale_full_s": large.seconds,
        "scale_cpu_s": large.cpu_seconds,
        "scale_peak_rss_mib": large.max_rss_kib / 1024,
        "scale_rss_over_count_rss": large.max_rss_kib / 1024 / small_rss_mib,
        "meshdash_nochange_rebuild_s": rebuild_s,
        "rebuild_over_full": rebuild_s / meshdash_s,
        "runs_s": {
            "meshdash_full": [r.seconds for r in full],
            "grafanalib_full": [r.seconds for r in other],
            "meshdash_nochange_rebuild": [r.seconds for r in rebuild],
        },
    }


TARGET_LIMITS = (
    ("build: meshdash/grafanalib time", 0.5),
    ("build: no-change rebuild/full build", 0.10),
    ("build: peak RSS 10,000/1,000 dashboards", 1.5),
)


def targets(result: dict[str, Any]) -> list[Target]:
    values = (
        result["ratio_meshdash_over_grafanalib"],
        result["rebuild_over_full"],
        result["scale_rss_over_count_rss"],
    )
    return [
        Target(name, value, "<=", limit)
        for (name, limit), value in zip(TARGET_LIMITS, values, strict=True)
    ]


def rows(build: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, meshdash, baseline, ratio) rows of the README's table."""
    n, scale = build["dashboards"], build["scale_dashboards"]
    return [
        (f"build {n} dashboards (s)", f"{build['meshdash_full_s']:.2f}",
         f"grafanalib {build['grafanalib_full_s']:.2f}",
         f"{build['ratio_meshdash_over_grafanalib']:.2f}"),
        (f"build {n} dashboards, CPU (s)", f"{build['meshdash_full_cpu_s']:.2f}",
         f"grafanalib {build['grafanalib_full_cpu_s']:.2f}",
         f"{build['cpu_ratio_meshdash_over_grafanalib']:.2f}"),
        (f"build {n} peak RSS (MiB)", f"{build['meshdash_peak_rss_mib']:.0f}",
         f"grafanalib {build['grafanalib_peak_rss_mib']:.0f}", ""),
        (f"build {scale} peak RSS (MiB)", f"{build['scale_peak_rss_mib']:.0f}",
         f"{n} dashboards {build['scale_peak_rss_mib'] / build['scale_rss_over_count_rss']:.0f}",
         f"{build['scale_rss_over_count_rss']:.2f}"),
        (f"build {scale} dashboards (s)", f"{build['scale_full_s']:.2f}",
         f"CPU {build['scale_cpu_s']:.2f}", ""),
        ("no-change rebuild (s)", f"{build['meshdash_nochange_rebuild_s']:.2f}",
         f"full {build['meshdash_full_s']:.2f}", f"{build['rebuild_over_full']:.2f}"),
    ]  # fmt: skip
