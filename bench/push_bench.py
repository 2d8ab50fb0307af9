"""Part 3: `meshdash push` of N dashboards to the loopback Grafana stand-in.

The stand-in (tests/grafana/standin.py) runs in this process and counts every
request and every applied write; the pushes run as child processes, meshdash's
(`meshdash push --from DIR`) and the naive one (`bench.naive_push`: POST every
dashboard with `overwrite: true`, as grafanalib's upload example does) alike.
Each repetition runs twice, each time from an empty stand-in:

* as Grafana 11 (legacy `/api` only): first push, a second push with nothing changed
  (the default full refresh: a search, then every dashboard read), the same with
  `--no-refresh` (planned from the search's hash tags, nothing read), a push after
  changing one panel title in every 100th dashboard, then the naive upload of all N;
* as Grafana 13 (`--api auto` picks `/apis` v1): first push, a no-change push (full
  drift detection from one paged LIST of every spec), the changed push, the naive upload.

Every no-change push is held to the same targets against the naive time of its own
stand-in in the same round; the `/apis` one also to at most 5 requests. That count has a
floor no client can go under: Grafana's unified storage ends a LIST page once it holds
`max_page_bytes` (2 MiB by default in its resource server) of stored objects, so a LIST
takes ceil(stored bytes / 2 MiB) pages whatever `limit` asks for. :func:`list_floor`
works it out from the bytes the Grafana 13 stand-in holds after the first push.
"""

from __future__ import annotations

import importlib
import json
import math
import os
import shutil
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

from bench.measure import BenchError, ChildRun, Target, median, run_child
from generator.outputs.manifest import MANIFEST_NAME

TOKEN = "bench-token"  # the stand-in's own throwaway credential, loopback only
CHANGE_EVERY = 100
LEGACY_PHASES = ("first", "nochange", "nochange_norefresh", "changed", "naive")
APIS_PHASES = ("apis_first", "apis_nochange", "apis_changed", "apis_naive")
PHASES = LEGACY_PHASES + APIS_PHASES
# (result key, label, the naive phase it is compared with) of the no-change modes
NOCHANGE_MODES = (
    ("nochange", "legacy /api, full refresh, default", "naive"),
    ("nochange_norefresh", "legacy /api, --no-refresh", "naive"),
    ("apis_nochange", "/apis, full drift detection", "apis_naive"),
)
MAX_NOCHANGE_WRITES = 0
MAX_NOCHANGE_OVER_NAIVE = 0.25
MAX_APIS_NOCHANGE_REQUESTS = 5


def load_standin(root: Path) -> ModuleType:
    """tests/grafana/standin.py, imported as the tests import it (with its sibling modules)."""
    folder = root / "tests" / "grafana"
    if not (folder / "standin.py").is_file():
        raise BenchError(f"{folder}/standin.py not found; the Grafana stand-in is needed")
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))
    return importlib.import_module("standin")


def changed_copy(source: Path, target: Path) -> int:
    """Copy of the built files with one panel title changed in every 100th; returns how many."""
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    changed = 0
    for index, path in enumerate(sorted(source.glob("*.json"))):
        text = path.read_text(encoding="utf-8")
        if index % CHANGE_EVERY == 0:
            data = json.loads(text)
            panel = next(p for p in data["panels"] if p.get("type") != "row")
            panel["title"] += " (changed)"
            text = json.dumps(data, sort_keys=True, indent=2) + "\n"
            changed += 1
        (target / path.name).write_text(text, encoding="utf-8")
    if (source / MANIFEST_NAME).is_file():  # each dashboard's folder, for `push --from`
        shutil.copyfile(source / MANIFEST_NAME, target / MANIFEST_NAME)
    return changed


class _Phase:
    """Counts of the stand-in's requests and writes across one child run."""

    def __init__(self, standin: Any) -> None:
        self.standin = standin

    def run(self, argv: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
        requests_before = sum(self.standin.requests.values())
        writes_before = self.standin.writes
        child: ChildRun = run_child(argv, cwd=cwd, env=env)
        return {
            "seconds": child.seconds,
            "requests": sum(self.standin.requests.values()) - requests_before,
            "writes": self.standin.writes - writes_before,
        }


def one_round(root: Path, work: Path, built: Path, changed: Path, python: Path) -> dict[str, Any]:
    standin_module = load_standin(root)
    env = {**os.environ, "GRAFANA_TOKEN": TOKEN}
    env.pop("GRAFANA_USER", None)
    meshdash = str(python.parent / "meshdash")
    # (phase, extra arguments, --from folder) per stand-in mode; None: the naive upload
    plans: dict[str, list[tuple[str, list[str] | None, Path]]] = {
        "grafana11": [
            ("first", [], built),
            ("nochange", [], built),
            ("nochange_norefresh", ["--no-refresh"], built),
            ("changed", [], changed),
            ("naive", None, built),
        ],
        "grafana13": [
            ("apis_first", [], built),
            ("apis_nochange", [], built),
            ("apis_changed", [], changed),
            ("apis_naive", None, built),
        ],
    }
    result: dict[str, Any] = {}
    for mode, phases in plans.items():
        with standin_module.GrafanaStandIn(tokens={TOKEN: "Admin"}, mode=mode) as standin:
            phase = _Phase(standin)
            for name, extra, source in phases:
                argv = [meshdash, "push", "--url", standin.url, "--from", str(source)]
                if extra is None:
                    argv = [str(python), "-m", "bench.naive_push", standin.url, str(source)]
                result[name] = phase.run([*argv, *(extra or [])], work, env)
                if name == "apis_first":
                    result["apis_list"] = (standin.apis.stored_bytes(), standin.max_page_bytes)
    return result


def run(root: Path, work: Path, built: Path, python: Path, *, repeats: int) -> dict[str, Any]:
    if not any(built.glob("*.json")):
        raise BenchError(f"no built dashboards in {built}; the build bench writes them")
    changed_dir = work / "push" / "changed"
    changed = changed_copy(built, changed_dir)
    env_root = {"PYTHONPATH": str(root)}
    os.environ.update(env_root)  # the naive child imports bench.naive_push
    rounds = [one_round(root, work, built, changed_dir, python) for _ in range(repeats)]
    result: dict[str, Any] = {
        "dashboards": len(list(built.glob("*.json"))),
        "changed_dashboards": changed,
        "repeats": repeats,
    }
    for name in PHASES:
        result[name] = {
            "seconds": median([r[name]["seconds"] for r in rounds]),
            "requests": rounds[0][name]["requests"],
            "writes": rounds[0][name]["writes"],
            "runs_s": [r[name]["seconds"] for r in rounds],
        }
    for name, _label, naive in NOCHANGE_MODES:
        result[f"{name}_over_naive"] = _ratio_per_round(rounds, name, naive)
    result["apis_list_floor"] = list_floor(*rounds[0]["apis_list"], result["dashboards"])
    return result


def list_floor(stored_bytes: int, page_budget: int, dashboards: int) -> dict[str, Any]:
    """The fewest LIST pages (= no-change requests on /apis) Grafana's byte budget allows.

    Also the largest stored dashboard for which the request target could be met.
    """
    return {
        "stored_bytes": stored_bytes,
        "page_budget": page_budget,
        "pages": max(1, math.ceil(stored_bytes / page_budget)),
        "target_fits_bytes_per_dashboard": MAX_APIS_NOCHANGE_REQUESTS * page_budget // dashboards,
    }


def floor_line(result: dict[str, Any]) -> str:
    """The arithmetic of :func:`list_floor`, in one line for the report."""
    floor, count = result["apis_list_floor"], result["dashboards"]
    pages, budget = floor["pages"], floor["page_budget"]
    verdict = "within" if pages <= MAX_APIS_NOCHANGE_REQUESTS else "over"
    return (
        f"/apis no-change requests, floor: ceil({floor['stored_bytes']:,} B stored / "
        f"{budget:,} B per LIST page) = {pages} page(s), {verdict} the target of "
        f"{MAX_APIS_NOCHANGE_REQUESTS}; {count:,} dashboards fit {MAX_APIS_NOCHANGE_REQUESTS} "
        f"pages at up to {floor['target_fits_bytes_per_dashboard']:,} B stored each "
        f"(now {floor['stored_bytes'] // count:,} B)"
    )


def _ratio_per_round(rounds: list[dict[str, Any]], name: str, naive: str) -> float:
    """Median of the per-round ratios: each no-change push against the naive of its round."""
    return median([r[name]["seconds"] / r[naive]["seconds"] for r in rounds])


def targets(result: dict[str, Any] | None) -> list[Target]:
    """Writes and time of each no-change mode, labelled with the mode; /apis requests."""
    out = []
    for name, label, _naive in NOCHANGE_MODES:
        writes = None if result is None else float(result[name]["writes"])
        ratio = None if result is None else result[f"{name}_over_naive"]
        out += [
            Target(f"push: no-change writes ({label})", writes, "<=", MAX_NOCHANGE_WRITES),
            Target(f"push: no-change/naive time ({label})", ratio, "<=", MAX_NOCHANGE_OVER_NAIVE),
        ]
    requests = None if result is None else float(result["apis_nochange"]["requests"])
    label = "push: no-change requests (/apis, full drift detection)"
    out.append(Target(label, requests, "<=", MAX_APIS_NOCHANGE_REQUESTS))
    return out
