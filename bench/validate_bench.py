"""Part 2: `meshdash validate` of the service dashboard for N services, against a naive script.

The Prometheus is real: a backfill of the synthetic mesh (`bench.synthetic_mesh`)
loaded with promtool. meshdash's figure is end to end: `validate()` resolves the
variables, plans one query per target and variable choice, runs them on its
pooled, concurrent client, and judges every panel; queries per second is every
HTTP request it sent over that wall time. Two baselines, each the same planned
queries sent one at a time with a bare `requests.get` (a fresh connection every
time, no Session), parsing the JSON, as a naive script would:

- "naive at Grafana's step": what such a script would run, each range query at
  Grafana's own step (`$__interval`), as the dashboard draws it;
- "same queries sequential": meshdash's exact queries (its wider validation
  step), which isolates what concurrency and connection pooling buy.

Both compare queries per second against the same `>= 4` target.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import requests

from bench import synthetic_mesh
from bench.measure import BenchError, Target, median, timed
from generator.build import BuiltDashboard, build_dashboards
from generator.promql.interpolate import TimeRange
from generator.validate import PrometheusClient, ValidateOptions, connection_from, resolve, validate
from generator.validate.plan import Job
from generator.validate.runner import QueryWindow, plan_panels

DASHBOARD_UID = "meshdash-service"
STEP_SECONDS = 15
WINDOW = "30m"


def service_dashboard(dashboards_dir: Path) -> BuiltDashboard:
    for item in build_dashboards(dashboards_dir):
        if item.uid == DASHBOARD_UID:
            return item
    raise BenchError(f"no dashboard {DASHBOARD_UID!r} in {dashboards_dir}")


def dashboard_queries(item: BuiltDashboard) -> list[str]:
    panels = [*item.data["panels"], *(p for r in item.data["panels"] for p in r.get("panels", []))]
    exprs = [t.get("expr", "") for p in panels for t in p.get("targets", [])]
    return exprs + [str(v.get("query", "")) for v in item.data["templating"]["list"]]


def planned_jobs(
    item: BuiltDashboard, client: PrometheusClient, options: ValidateOptions
) -> list[Job]:
    _, plans = plan_panels(item.data, client, options)
    return [job for plan in plans for job in plan.jobs]


Window = Callable[[str], tuple[float, float, float]]


def naive_run(url: str, jobs: list[Job], options: ValidateOptions, window: Window) -> int:
    """One `requests.get` per query, in order, each range query over `window(expr)`;
    returns how many answered with data."""
    end = options.time_range.end_ms / 1000
    with_data = 0
    for job in jobs:
        assert job.expr is not None
        if job.ref.instant and not job.ref.range:
            params: dict[str, Any] = {"query": job.expr, "time": end}
            answer = requests.get(f"{url}/api/v1/query", params=params, timeout=30)
        else:
            start, stop, step = window(job.expr)
            params = {"query": job.expr, "start": start, "end": stop, "step": step}
            answer = requests.get(f"{url}/api/v1/query_range", params=params, timeout=30)
        answer.raise_for_status()
        with_data += bool(answer.json()["data"]["result"])
    return with_data


def grafana_step(options: ValidateOptions) -> Window:
    """Every range query at Grafana's step, as the dashboard draws it."""
    grafana = QueryWindow.of(options.time_range, options.scrape_interval).grafana()
    return lambda _expr: grafana


def validation_step(options: ValidateOptions) -> Window:
    """The start, end and step meshdash validate itself uses for each expression."""
    return QueryWindow.of(options.time_range, options.scrape_interval).validation


def run(work: Path, dashboards_dir: Path, *, services: int, repeats: int) -> dict[str, Any]:
    item = service_dashboard(dashboards_dir)
    last = int(time.time() // STEP_SECONDS * STEP_SECONDS)
    options = ValidateOptions(
        time_range=TimeRange.last(WINDOW, now_ms=last * 1000),
        range_text=WINDOW,
        scrape_interval=f"{STEP_SECONDS}s",
        max_combinations=10 * services,
        parallel=8,
    )
    first = last - 2 * 1800
    queries = dashboard_queries(item)
    backfill = synthetic_mesh.backfilled(
        work, services, queries, first=first, last=last, step=STEP_SECONDS
    )
    with backfill as server:
        return _measure(server.url, item, options, services, repeats)


def _measure(
    url: str, item: BuiltDashboard, options: ValidateOptions, services: int, repeats: int
) -> dict[str, Any]:
    connection = connection_from(url, parallel=options.parallel, environ={})
    with PrometheusClient(connection) as client:
        jobs = planned_jobs(item, client, options)
    baselines = {"naive": grafana_step(options), "same": validation_step(options)}
    ours: list[tuple[float, int]] = []
    runs: dict[str, list[float]] = {name: [] for name in baselines}
    with_data: dict[str, int] = {}
    report = None
    for _ in range(repeats):
        with PrometheusClient(connection) as client:
            seconds, report = timed(lambda c=client: validate([item], c, options))
            ours.append((seconds, client.requests_sent))
        for name, window in baselines.items():
            seconds, with_data[name] = timed(lambda w=window: naive_run(url, jobs, options, w))
            runs[name].append(seconds)
    assert report is not None
    if report.failures:
        raise BenchError(f"validation of the synthetic mesh failed: {report.failures[0]}")
    ours_qps = median([n / s for s, n in ours])
    naive_qps = median([len(jobs) / s for s in runs["naive"]])
    same_qps = median([len(jobs) / s for s in runs["same"]])
    return {
        "services": services,
        "service_values_resolved": _service_values(item, options, url),
        "queries_planned": len(jobs),
        "meshdash_requests": ours[0][1],
        "meshdash_parallel": options.parallel,
        "meshdash_s": median([s for s, _ in ours]),
        "meshdash_qps": ours_qps,
        "naive_baseline": "same expressions at Grafana's step, one requests.get at a time",
        "naive_s": median(runs["naive"]),
        "naive_qps": naive_qps,
        "ratio_meshdash_over_naive_qps": ours_qps / naive_qps,
        "same_queries_baseline": "meshdash's exact queries, one requests.get at a time",
        "same_queries_sequential_s": median(runs["same"]),
        "same_queries_sequential_qps": same_qps,
        "ratio_meshdash_over_same_queries_sequential_qps": ours_qps / same_qps,
        "panels": report.panels,
        "warnings": len(report.warnings),
        "naive_queries_with_data": with_data["naive"],
        "same_queries_with_data": with_data["same"],
        "runs_s": {
            "meshdash": [s for s, _ in ours],
            "naive": runs["naive"],
            "same_queries_sequential": runs["same"],
        },
    }


def _service_values(item: BuiltDashboard, options: ValidateOptions, url: str) -> int:
    connection = connection_from(url, environ={})
    with PrometheusClient(connection) as client:
        resolution = resolve(
            item.data, client, options.time_range, scrape_interval=options.scrape_interval
        )
    return len({a["service"] for a in resolution.assignments if "service" in a})


def targets(result: dict[str, Any] | None) -> list[Target]:
    naive = result["ratio_meshdash_over_naive_qps"] if result else None
    same = result["ratio_meshdash_over_same_queries_sequential_qps"] if result else None
    return [
        Target("validate vs naive at Grafana's step (queries/s)", naive, ">=", 4.0),
        Target("validate vs same queries sequential (queries/s)", same, ">=", 4.0),
    ]
