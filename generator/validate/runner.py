"""Run every planned query concurrently and judge each panel.

A target fails when its query errors, when it returns no series under every
choice of variable values tried, or when a result series lacks a label its
legend uses. A target empty under *some* choices but not all is a warning
(a service that simply has no such traffic, e.g. no retries); ``--strict``
turns warnings into failures. An unreachable Prometheus or refused
credentials stop the whole run with one error.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from concurrent.futures import FIRST_EXCEPTION, ThreadPoolExecutor, wait
from dataclasses import dataclass

from generator.build import BuiltDashboard
from generator.errors import PrometheusAuthError, PrometheusError, PrometheusUnreachable
from generator.promql.durations import to_ms
from generator.promql.interpolate import TimeRange, builtin_values
from generator.validate.client import PrometheusClient, Series
from generator.validate.diagnose import explain_no_series
from generator.validate.plan import Job, PanelPlan, plan_dashboard
from generator.validate.report import FAILURE, WARNING, Problem, Report
from generator.validate.resolve import Resolution, resolve

# Grafana's renderLegendFormat: {{ label }}
_LEGEND_LABEL = re.compile(r"\{\{\s*(.+?)\s*\}\}")


@dataclass(frozen=True)
class ValidateOptions:
    """How to query: the dashboard time range, scrape interval, fan-out and parallelism."""

    time_range: TimeRange
    range_text: str = "30m"
    scrape_interval: str = "15s"
    max_combinations: int = 50
    parallel: int = 8


@dataclass(frozen=True)
class Outcome:
    """What one job's query returned: series, an error, or why it was empty."""

    job: Job
    series: tuple[Series, ...] = ()
    error: str | None = None
    empty_reason: str | None = None


def legend_labels(legend_format: str | None) -> list[str]:
    """Labels a legend format uses (``{{local_cluster}} {{code}}xx`` -> both)."""
    return _LEGEND_LABEL.findall(legend_format or "")


def validate(
    dashboards: Sequence[BuiltDashboard], client: PrometheusClient, options: ValidateOptions
) -> Report:
    """Resolve variables, run every target, and report what failed."""
    client.check()
    report = Report(client.connection.display_url, options.range_text)
    plans: list[PanelPlan] = []
    for item in dashboards:
        resolution = resolve(
            item.data, client, options.time_range, scrape_interval=options.scrape_interval
        )
        _report_variables(report, item.uid, resolution)
        plans.extend(
            plan_dashboard(
                item.data,
                resolution,
                time_range=options.time_range,
                scrape_interval=options.scrape_interval,
                max_combinations=options.max_combinations,
            )
        )
    jobs = [job for plan in plans for job in plan.jobs]
    outcomes = run_jobs(client, jobs, options)
    for plan in plans:
        _judge_panel(report, plan, [outcomes[id(job)] for job in plan.jobs])
    report.queries = len(jobs)
    report.requests = client.requests_sent
    return report


def run_jobs(
    client: PrometheusClient, jobs: Sequence[Job], options: ValidateOptions
) -> dict[int, Outcome]:
    """Every job's outcome, keyed by ``id(job)``; a fatal error cancels the rest."""
    window = options.range_text
    with ThreadPoolExecutor(max_workers=max(1, options.parallel)) as pool:
        futures = {
            pool.submit(
                run_job, client, job, options.time_range, options.scrape_interval, window
            ): job
            for job in jobs
        }
        done, _ = wait(futures, return_when=FIRST_EXCEPTION)
        for future in done:
            if future.exception() is not None:
                pool.shutdown(wait=True, cancel_futures=True)
                raise future.exception()  # type: ignore[misc]
    return {id(futures[f]): f.result() for f in futures}


def run_job(
    client: PrometheusClient, job: Job, time_range: TimeRange, scrape: str, window: str
) -> Outcome:
    """Run one job's query; for an empty result, find out which matcher removed the data."""
    if job.expr is None:
        return Outcome(job, error=f"cannot interpolate the query: {job.error}")
    end = time_range.end_ms / 1000
    try:
        if job.ref.instant and not job.ref.range:
            series = client.instant(job.expr, at=end)
        else:
            start, end, step = query_window(time_range, scrape)
            series = client.range(job.expr, start=start, end=end, step=step)
        if series:
            return Outcome(job, series=tuple(series))
        return Outcome(job, empty_reason=explain_no_series(client, job.expr, at=end, window=window))
    except (PrometheusUnreachable, PrometheusAuthError):
        raise
    except PrometheusError as exc:
        return Outcome(job, error=f"query failed: {exc}")


def query_window(time_range: TimeRange, scrape: str) -> tuple[float, float, float]:
    """Start, end and step (seconds) of a range query, aligned to the step as Grafana does."""
    step_ms = int(builtin_values(time_range, scrape_interval=scrape)["__interval_ms"])
    step_ms = max(step_ms, to_ms(scrape))
    start = (time_range.start_ms // step_ms) * step_ms
    end = (time_range.end_ms // step_ms) * step_ms
    return start / 1000, end / 1000, step_ms / 1000


def _judge_panel(report: Report, plan: PanelPlan, outcomes: list[Outcome]) -> None:
    report.panels += 1
    before = len(report.problems)
    if plan.skipped:
        report.problems.append(_problem(FAILURE, plan, None, (), plan.skipped))
    by_ref: dict[str, list[Outcome]] = {}
    for outcome in outcomes:
        by_ref.setdefault(outcome.job.ref.ref_id, []).append(outcome)
    for ref_outcomes in by_ref.values():
        _judge_target(report, plan, ref_outcomes)
    added = report.problems[before:]
    if any(p.severity == FAILURE for p in added):
        report.panels_failed += 1
    elif added:
        report.panels_warned += 1


def _judge_target(report: Report, plan: PanelPlan, outcomes: list[Outcome]) -> None:
    all_empty = all(o.empty_reason for o in outcomes)
    for outcome in outcomes:
        job = outcome.job
        if outcome.error:
            reason, severity = outcome.error, FAILURE
        elif outcome.empty_reason:
            reason = outcome.empty_reason
            severity = FAILURE if all_empty else WARNING
            if not all_empty:
                reason += " (other variable values have data)"
        else:
            missing = _missing_legend_label(job, outcome.series)
            if missing is None:
                continue
            reason, severity = missing, FAILURE
        report.problems.append(_problem(severity, plan, job, job.values, reason))


def _missing_legend_label(job: Job, series: tuple[Series, ...]) -> str | None:
    for label in legend_labels(job.ref.legend_format):
        lacking = [s for s in series if label not in s.labels]
        if lacking:
            return (
                f"{len(lacking)} of {len(series)} series lack label {label!r} that the legend "
                f"{job.ref.legend_format!r} uses; keep it in the aggregation (`by ({label})`)"
            )
    return None


def _problem(
    severity: str,
    plan: PanelPlan,
    job: Job | None,
    values: tuple[tuple[str, str], ...],
    reason: str,
) -> Problem:
    return Problem(
        severity=severity,
        dashboard=plan.key.dashboard,
        reason=reason,
        panel=plan.key.title,
        ref_id=job.ref.ref_id if job else "",
        values=values,
        expr=job.expr if job else None,
    )


def _report_variables(report: Report, uid: str, resolution: Resolution) -> None:
    report.variables[uid] = dict(resolution.values)
    for name, variable in resolution.variables.items():
        error = resolution.errors.get(name)
        if error or not resolution.values.get(name):
            reason = f"no values: {error}" if error else f"no values for query {variable.query!r}"
            report.problems.append(Problem(FAILURE, uid, reason, variable=name))
            continue
        for parents in _unique(resolution.empty_under.get(name, [])):
            where = ", ".join(f"{k}={v}" for k, v in parents.items())
            report.notes.append(
                f"{uid}: ${name} has no values for {where}; panels using it are not drawn there"
            )


def _unique(items: list[dict[str, str]]) -> list[dict[str, str]]:
    seen: dict[tuple[tuple[str, str], ...], dict[str, str]] = {}
    for item in items:
        seen.setdefault(tuple(item.items()), item)
    return list(seen.values())
