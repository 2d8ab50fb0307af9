"""The table `make bench` prints and the machine-readable `bench/results.json`."""

from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bench.measure import Target


def machine() -> dict[str, Any]:
    model = ""
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.is_file():
        for line in cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model or platform.processor(),
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def git_commit(root: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True
        )
    except OSError:
        return None
    return out.stdout.strip() or None


def rows(results: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, meshdash, baseline, ratio) for every measured part."""
    out: list[tuple[str, str, str, str]] = []
    build = results.get("build")
    if build and "error" not in build:
        from bench import build_bench

        out += build_bench.rows(build)
    val = results.get("validate")
    if val and "error" not in val:
        from bench import validate_bench

        out += validate_bench.rows(val)
    push = results.get("push")
    if push and "error" not in push:
        changed = f"push, {push['changed_dashboards']} changed"
        for name, label, naive_key in (
            ("first", "/api first push", "naive"), ("nochange", "/api no-change push", "naive"),
            ("nochange_norefresh", "/api no-change push --no-refresh", "naive"),
            ("changed", f"/api {changed}", "naive"),
            ("apis_first", "/apis first push", "apis_naive"),
            ("apis_nochange", "/apis no-change push", "apis_naive"),
            ("apis_changed", f"/apis {changed}", "apis_naive"),
        ):  # fmt: skip
            if name not in push:
                continue
            p, naive = push[name], push[naive_key]
            base = f"naive {naive['seconds']:.2f} s, {naive['writes']} writes"
            figure = f"{p['seconds']:.2f} s, {p['requests']} req, {p['writes']} writes"
            ratio = push.get(f"{name}_over_naive")
            compared = ratio is not None
            out.append((f"{label} ({push['dashboards']})", figure, base if compared else "",
                        f"{ratio:.2f}" if compared else ""))  # fmt: skip
    for part in ("build", "validate", "push"):
        if results.get(part) and "error" in results[part]:
            out.append((part, "not measured", results[part]["error"][:60], ""))
    return out


def table(results: dict[str, Any], targets: Sequence[Target]) -> str:
    body = rows(results)
    head = ("figure", "meshdash", "baseline", "ratio")
    widths = [max(len(r[i]) for r in [head, *body]) for i in range(4)]
    lines = [_line(head, widths), _line(tuple("-" * w for w in widths), widths)]
    lines += [_line(r, widths) for r in body]
    lines.append("")
    for t in targets:
        value = "-" if t.value is None else f"{t.value:.3g}"
        lines.append(f"{t.status:12} {t.name}: {value} (target {t.op} {t.limit:g})")
    push = results.get("push") or {}
    if "apis_list_floor" in push:
        from bench import push_bench

        lines.append(push_bench.floor_line(push))
    return "\n".join(lines)


def _line(cells: tuple[str, ...], widths: list[int]) -> str:
    return "| " + " | ".join(c.ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"


def write_results(
    path: Path, root: Path, results: dict[str, Any], targets: Sequence[Target]
) -> None:
    """Write this run's parts; a part this run skipped (`--only`) keeps its last figures.

    A kept part's targets are those of the last run whose name starts with no part
    run now; `generated_parts` says when and at which commit each part was measured.
    """
    previous = _read_document(path)
    stamp = {"generated": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "commit": git_commit(root)}
    kept_results = {k: v for k, v in previous.get("results", {}).items() if k not in results}
    names = {t.name for t in targets}
    kept_targets = [
        t
        for t in previous.get("targets", [])
        if t.get("name") not in names and not str(t.get("name")).startswith(tuple(results))
    ]
    parts = {k: v for k, v in previous.get("generated_parts", {}).items() if k in kept_results}
    document = {
        **stamp,
        "machine": machine(),
        "argv": sys.argv[1:],
        "results": {**kept_results, **results},
        "targets": kept_targets + [t.as_json() for t in targets],
        "generated_parts": {**parts, **{part: stamp for part in results}},
    }
    path.write_text(json.dumps(document, indent=2, sort_keys=True) + "\n")


def _read_document(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text())
    except (OSError, ValueError):
        return {}
    return document if isinstance(document, dict) else {}
