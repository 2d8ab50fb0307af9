"""Part 2: `meshdash validate` of the service dashboard on an N-service mesh, every combination.

The Prometheus is real: a backfill of the synthetic mesh (`bench.synthetic_mesh`,
each service calling two upstreams, so 2N (service, upstream) pairs) loaded
with promtool. Three runs check the same combinations (every value of
`$service`, every pair, and All and two values of each variable):

- meshdash validate, batched (the default): a `meshdash validate` child
  process, so its wall time includes start-up and the build, and its peak RSS
  is its own (GNU time);
- meshdash validate `--no-batch`, the same child with one query per target and
  combination (`--max-combinations` above the number of pairs);
- the sequential baseline: the one-per-combination queries sent one at a time
  with a bare `requests.get` (a fresh connection each, no Session), parsing
  the JSON, as a naive script would.

Prometheus' own CPU time per run is its `process_cpu_seconds_total` (from its
`/metrics`) after minus before. Then the bytes each shipped variable query's
answer takes on this mesh, requested as Grafana requests it.
"""

from __future__ import annotations

import json
import shutil
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from bench import synthetic_mesh
from bench.measure import BenchError, Target, median, run_child, timed
from generator.flavors import FLAVORS
from generator.outputs.build import BuiltDashboard, build_dashboards
from generator.promql.dashboard import iter_panels
from generator.promql.interpolate import TimeRange
from generator.validate import PrometheusClient, ValidateOptions, connection_from
from generator.validate.plan import Job
from generator.validate.runner import QueryWindow, plan_panels
from generator.validate.variable_query import run_variable_query
from generator.variables import service as service_variable
from generator.variables import upstream as upstream_variable

DASHBOARD_UID = "meshdash-service"
DEFINITION = "service.py"
STEP_SECONDS = 30
WINDOW = "10m"
WINDOW_SECONDS = 600
#: Above any number of combinations the bench plans: --no-batch checks them all too.
EVERY = 1_000_000
#: Each shipped variable query's answer on the 1,000-service mesh (the issue's target).
VARIABLE_BYTES_LIMIT = 100 * 1024
#: The demo's bare series query, for comparison (not shipped).
BARE_SERIES = "envoy_cluster_upstream_rq_time_bucket"


def run(work: Path, dashboards_dir: Path, *, services: int, repeats: int) -> dict[str, Any]:
    defs = work / "validate-defs"
    shutil.rmtree(defs, ignore_errors=True)
    defs.mkdir(parents=True)
    shutil.copy(dashboards_dir / DEFINITION, defs / DEFINITION)
    item = next((d for d in build_dashboards(defs) if d.uid == DASHBOARD_UID), None)
    if item is None:
        raise BenchError(f"no dashboard {DASHBOARD_UID!r} in {dashboards_dir / DEFINITION}")
    last = int(time.time() // STEP_SECONDS * STEP_SECONDS)
    options = ValidateOptions(
        time_range=TimeRange((last - WINDOW_SECONDS) * 1000, last * 1000),
        range_text=WINDOW,
        scrape_interval=f"{STEP_SECONDS}s",
        max_combinations=EVERY,
        batch=False,
    )
    first = last - WINDOW_SECONDS - 300
    queries = _dashboard_queries(item) + [query for _, query in variable_cases()]
    started = time.perf_counter()
    with synthetic_mesh.backfilled(
        work, services, queries, first=first, last=last, step=STEP_SECONDS
    ) as server:
        backfill_s = time.perf_counter() - started
        result = _measure(server.url, work, defs, item, options, repeats)
    return {"services": services, "pairs": services * 2, "backfill_s": backfill_s, **result}


def _dashboard_queries(item: BuiltDashboard) -> list[str]:
    exprs = [t.get("expr", "") for p in iter_panels(item.data) for t in p.get("targets", [])]
    return exprs + [str(v.get("query", "")) for v in item.data["templating"]["list"]]


def _measure(
    url: str, work: Path, defs: Path, item: BuiltDashboard, options: ValidateOptions, repeats: int
) -> dict[str, Any]:
    with PrometheusClient(connection_from(url, environ={})) as client:
        _, plans = plan_panels(item.data, client, options)
    jobs = [job for plan in plans for job in plan.jobs]
    combinations = sum(plan.combinations for plan in plans)
    argv = _cli(url, defs, options)
    batched = [_child(url, argv, work) for _ in range(repeats)]
    no_batch = _child(url, [*argv, "--no-batch", "--max-combinations", str(EVERY)], work)
    cpu_before = prometheus_cpu_seconds(url)
    sequential_s, with_data = timed(lambda: naive_run(url, jobs, options))
    sequential_cpu = prometheus_cpu_seconds(url) - cpu_before
    best = sorted(batched, key=lambda r: r["seconds"])[len(batched) // 2]
    return {
        "combinations_planned": combinations,
        "batched": {**best, "runs_s": [r["seconds"] for r in batched]},
        "no_batch": no_batch,
        "sequential": {
            "seconds": sequential_s,
            "requests": len(jobs),
            "combinations": combinations,
            "queries_with_data": with_data,
            "prometheus_cpu_s": sequential_cpu,
            "how": "the --no-batch queries, one requests.get at a time, fresh connections",
        },
        "batched_over_sequential": median([r["seconds"] for r in batched]) / sequential_s,
        "batched_over_no_batch": median([r["seconds"] for r in batched]) / no_batch["seconds"],
        "variable_bytes": variable_bytes(url, options),
    }


def _cli(url: str, defs: Path, options: ValidateOptions) -> list[str]:
    # The venv's own command: `make bench` runs .venv/bin/python without the venv on PATH.
    beside = Path(sys.executable).parent / "meshdash"
    meshdash = beside if beside.exists() else Path(shutil.which("meshdash") or "meshdash")
    end = str(options.time_range.end_ms / 1000)
    return [
        str(meshdash), "validate", "--dashboards", str(defs), "--prometheus", url,
        "--end", end, "--range", WINDOW, "--scrape-interval", f"{STEP_SECONDS}s",
        "--format", "json", "--timeout", "300",
    ]  # fmt: skip


def _child(url: str, argv: list[str], work: Path) -> dict[str, Any]:
    """One `meshdash validate` run: wall time, peak RSS, what it checked, Prometheus CPU."""
    cwd = work / "validate-run"  # its own folder: run_child's scratch files have fixed names
    cwd.mkdir(exist_ok=True)
    before = prometheus_cpu_seconds(url)
    try:
        child = run_child(argv, cwd=cwd)
    except BenchError as exc:
        raise BenchError(f"meshdash validate failed on the synthetic mesh: {exc}") from None
    cpu = prometheus_cpu_seconds(url) - before
    summary = json.loads(child.stdout)["summary"]
    return {
        "seconds": child.seconds,
        "peak_rss_mib": child.max_rss_kib / 1024,
        "rss_method": child.rss_method,
        "requests": summary["requests"],
        "queries": summary["queries"],
        "combinations": summary["combinations"],
        "failures": summary["failures"],
        "prometheus_cpu_s": cpu,
    }


def prometheus_cpu_seconds(url: str) -> float:
    """Prometheus' own `process_cpu_seconds_total`, read from its `/metrics`."""
    answer = requests.get(f"{url}/metrics", timeout=30)
    answer.raise_for_status()
    for line in answer.text.splitlines():
        if line.startswith("process_cpu_seconds_total "):
            return float(line.split()[1])
    raise BenchError(f"{url}/metrics has no process_cpu_seconds_total")


def naive_run(url: str, jobs: list[Job], options: ValidateOptions) -> int:
    """One `requests.get` per query, in order, each over meshdash's own window for it;
    returns how many answered with data."""
    window: Callable[[str], tuple[float, float, float]] = QueryWindow.of(
        options.time_range, options.scrape_interval
    ).validation
    end = options.time_range.end_ms / 1000
    with_data = 0
    for job in jobs:
        assert job.expr is not None
        if job.ref.instant and not job.ref.range:
            params: dict[str, Any] = {"query": job.expr, "time": end}
            answer = requests.get(f"{url}/api/v1/query", params=params, timeout=300)
        else:
            start, stop, step = window(job.expr)
            params = {"query": job.expr, "start": start, "end": stop, "step": step}
            answer = requests.get(f"{url}/api/v1/query_range", params=params, timeout=300)
        answer.raise_for_status()
        with_data += bool(answer.json()["data"]["result"])
    return with_data


class _CountingClient(PrometheusClient):
    """A client that adds up the body size of every answer."""

    received = 0

    def _send(self, path: str, params: Any, *, post: bool) -> requests.Response:
        answer = super()._send(path, params, post=post)
        self.received += len(answer.content)
        return answer


def variable_cases() -> list[tuple[str, str]]:
    """(label, query) of each shipped variable query per flavor, resolved as Grafana would.

    `$upstream` is chained on `$service`: resolved with one service selected and with All (`.+`).
    """
    one = synthetic_mesh.service_name(0)
    cases: list[tuple[str, str]] = [("demo's bare series query (not shipped)", BARE_SERIES)]
    for name, flavor in FLAVORS.items():
        upstream = str(upstream_variable(flavor=flavor).query)
        cases += [
            (f"{name} $service", str(service_variable(flavor=flavor).query)),
            (f"{name} $upstream, one service", upstream.replace("$service", one)),
            (f"{name} $upstream, All", upstream.replace("$service", ".+")),
        ]
    return cases


def variable_bytes(url: str, options: ValidateOptions) -> dict[str, dict[str, Any]]:
    """Bytes of the answer to each shipped variable query (per flavor), as Grafana asks it."""
    start, end = options.time_range.start_ms / 1000, options.time_range.end_ms / 1000
    measured: dict[str, dict[str, Any]] = {}
    for label, query in variable_cases():
        with _CountingClient(connection_from(url, environ={})) as client:
            seconds, texts = timed(lambda c=client, q=query: run_variable_query(
                c, q, start=start, end=end))  # fmt: skip
            measured[label] = {
                "query": query,
                "bytes": client.received,
                "seconds": seconds,
                "options": len(texts),
            }
    return measured


def rows(result: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(figure, meshdash, baseline, ratio) rows for the printed table."""
    batched, no_batch, seq = result["batched"], result["no_batch"], result["sequential"]
    label = f"validate {result['services']} services, {batched['combinations']} combinations"
    ours = f"{batched['seconds']:.2f} s, {batched['requests']} req"
    out = [
        (label, ours, f"sequential {seq['seconds']:.1f} s, {seq['requests']} req",
         f"{result['batched_over_sequential']:.3f}"),
        (label, ours, f"--no-batch {no_batch['seconds']:.1f} s, {no_batch['requests']} req",
         f"{result['batched_over_no_batch']:.3f}"),
        ("validate peak RSS (MiB)", f"{batched['peak_rss_mib']:.0f}",
         f"--no-batch {no_batch['peak_rss_mib']:.0f}", ""),
    ]  # fmt: skip
    for name, item in result["variable_bytes"].items():
        if item.get("bytes") is not None:
            out.append((f"variable {name} (bytes)", f"{item['bytes']:,}", "", ""))
    return out


def targets(result: dict[str, Any] | None) -> list[Target]:
    def get(*keys: str) -> float | None:
        value: Any = result
        for key in keys:
            value = None if value is None else value.get(key)
        return value

    checked = None
    if result is not None:
        same = result["batched"]["combinations"] == result["no_batch"]["combinations"]
        checked = float(same and result["batched"]["combinations"] >= result["pairs"])
    out = [
        Target("validate: batched / sequential baseline (wall time)",
               get("batched_over_sequential"), "<=", 0.1),
        Target("validate: batched / --no-batch (wall time)", get("batched_over_no_batch"), "<=", 0.25),
        Target("validate: batched checks every combination (1 = yes)", checked, ">=", 1.0),
        Target("validate: peak RSS (MiB)", get("batched", "peak_rss_mib"), "<=", 200.0),
    ]  # fmt: skip
    shipped = result["variable_bytes"] if result else {}
    for name, item in shipped.items():
        if "not shipped" in name:
            continue
        bytes_ = item.get("bytes")
        out.append(
            Target(f"validate: variable {name} answer (bytes)", bytes_, "<=", VARIABLE_BYTES_LIMIT)
        )
    return out
