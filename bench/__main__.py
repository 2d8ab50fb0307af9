"""`python -m bench`: run the three benchmarks, print the table, write bench/results.json."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

from bench import report
from bench.measure import BenchError, Target

ROOT = Path(__file__).resolve().parent.parent
WORK = ROOT / "bench" / "work"
RESULTS = ROOT / "bench" / "results.json"
PARTS = ("build", "validate", "push")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--dashboards", type=int, default=1000, help="build and push N")
    parser.add_argument("--services", type=int, default=1000, help="validate N service values")
    parser.add_argument("--repeats", type=int, default=3, help="runs per figure (median)")
    parser.add_argument("--only", choices=PARTS, action="append", help="run only this part")
    parser.add_argument(
        "--profile", action="store_true", help="also profile `meshdash build` (pyinstrument)"
    )
    args = parser.parse_args(argv)
    parts = args.only or list(PARTS)
    venv_bin = Path(sys.executable).parent
    WORK.mkdir(parents=True, exist_ok=True)
    results: dict[str, Any] = {}
    targets: list[Target] = []
    runners: dict[str, Callable[[], dict[str, Any]]] = {
        "build": lambda: _build(args.dashboards, args.repeats, venv_bin),
        "validate": lambda: _validate(args.services, args.repeats),
        "push": lambda: _push(args.repeats),
    }
    for part in parts:
        print(f"bench: {part} ...", file=sys.stderr, flush=True)
        try:
            results[part] = runners[part]()
        except (BenchError, ImportError, OSError) as exc:
            results[part] = {"error": f"{type(exc).__name__}: {exc}"}
        targets += _targets(part, results[part])
    if args.profile:
        results["profile"] = {"build": str(_profile_build(venv_bin))}
    print(report.table(results, targets))
    report.write_results(RESULTS, ROOT, results, targets)
    print(f"\nwrote {RESULTS.relative_to(ROOT)}")
    return 1 if any("error" in r for r in results.values() if isinstance(r, dict)) else 0


def _build(count: int, repeats: int, venv_bin: Path) -> dict[str, Any]:
    from bench import build_bench

    return build_bench.run(WORK, venv_bin, count=count, repeats=repeats)


def _validate(services: int, repeats: int) -> dict[str, Any]:
    from bench import validate_bench

    return validate_bench.run(WORK, ROOT / "dashboards", services=services, repeats=repeats)


def _push(repeats: int) -> dict[str, Any]:
    from bench import push_bench

    built = WORK / "build" / "meshdash-out"
    return push_bench.run(ROOT, WORK, built, Path(sys.executable), repeats=repeats)


def _targets(part: str, result: dict[str, Any]) -> list[Target]:
    measured = None if "error" in result else result
    if part == "build":
        from bench import build_bench

        if measured is None:
            return [Target(n, None, "<=", lim) for n, lim in build_bench.TARGET_LIMITS]
        return build_bench.targets(measured)
    if part == "validate":
        from bench import validate_bench

        return validate_bench.targets(measured)
    from bench import push_bench

    return push_bench.targets(measured)


def _profile_build(venv_bin: Path) -> Path:
    """pyinstrument's text profile of one full `meshdash build` of the bench definitions."""
    from bench.measure import run_child

    defs = WORK / "build" / "meshdash-dashboards"
    out = WORK / "profile-build.txt"
    argv = [str(venv_bin / "pyinstrument"), "-o", str(out), str(venv_bin / "meshdash"), "build"]
    run_child([*argv, "--dashboards", str(defs), "--out", str(WORK / "profile-out")], cwd=WORK)
    return out


if __name__ == "__main__":
    sys.exit(main())
