"""Run every planned query concurrently and judge each panel.

A target fails when its query errors, when it returns no series under every
choice of variable values tried, or when a result series lacks a label its
legend uses. A target empty under *some* choices but not all is a warning
(a service that simply has no such traffic, e.g. no retries); ``--fail-on
warning`` (``--strict``) fails on those too. A target whose query declares
``# meshdash: may be empty`` has its empty results reported as notes instead.
Each verdict is a :class:`~generator.promql.lint.problems.Problem` whose code is one
of :mod:`generator.validate.checks`.
A target empty with a variable at All or two values while the base choice
(one of those values) has data always fails: the query cannot match what
Grafana sends (see :mod:`generator.validate.plan`). An unreachable Prometheus,
refused credentials or a URL that is not a Prometheus stop the whole run with
one error.

The validation step. Grafana runs a range query at ``step = $__interval``
(121 points for 30m at a 15s scrape interval). Validation asks whether the
query returns series, whether they carry the legend's labels, and, if not,
which matcher removed them; it does not need Grafana's resolution. So the
expression is the one Grafana runs, with ``$__interval`` and
``$__rate_interval`` interpolated exactly as Grafana does for the dashboard's
range, and only the evaluation step differs: ``step = max(Grafana's step,
min($__rate_interval, the shortest range selector in the expression))``.
An evaluation at ``t`` of ``rate(x[R])`` reads every sample in ``(t - R, t]``;
with points spaced by ``step <= R`` each gap between two points lies inside
the later point's window, so every sample Grafana's points read is read by at
least one validation point (a bare selector looks back 5m, longer still).
A query whose shortest window is ``$__interval`` keeps Grafana's step. The
points end at Grafana's last point and reach back to or before its first,
so the windows cover the whole range. At 30m and 15s this is 31 points
instead of 121: about 4x less work for Prometheus and for the JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from concurrent.futures import FIRST_EXCEPTION, Executor, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, replace
from functools import partial
from typing import Any

import promql_parser

from generator.errors import PrometheusAuthError, PrometheusError, PrometheusUnreachable
from generator.flavors import FLAVORS
from generator.outputs.build import BuiltDashboard
from generator.promql import analysis
from generator.promql.dashboard import legend_labels
from generator.promql.durations import to_ms
from generator.promql.interpolate import TimeRange, builtin_values
from generator.promql.lint.problems import Check, Location, Problem, Severity
from generator.validate.batch import batches, run_batches, separation
from generator.validate.checks import (
    LEGEND_LABEL,
    MAY_BE_EMPTY,
    NO_SERIES,
    NO_VALUES,
    QUERY_ERROR,
    SOME_EMPTY,
    WIDENED_EMPTY,
)
from generator.validate.client import PrometheusClient, Series
from generator.validate.diagnose import LIBRARY_NAMES, SettingNames, explain_no_series
from generator.validate.plan import Job, PanelPlan, Widening, plan_dashboard
from generator.validate.resolve import Resolution, resolve
from generator.validate.validation_report import PanelCheck, Report


@dataclass(frozen=True)
class ValidateOptions:
    """How to query: the dashboard time range, scrape interval, fan-out and parallelism."""

    time_range: TimeRange
    range_text: str = "30m"
    scrape_interval: str = "15s"
    max_combinations: int = 50
    parallel: int = 8
    #: One query for all combinations of a separable target (``--no-batch``: False).
    batch: bool = True
    #: The mesh ``--sandbox`` simulates: a dashboard built for another is said so.
    sandbox_flavor: str | None = None
    #: How findings name the settings above (a command passes its flags).
    names: SettingNames = LIBRARY_NAMES


@dataclass(frozen=True)
class QueryOutcome:
    """What one job's query returned: series, an error, or why it was empty."""

    job: Job
    series: tuple[Series, ...] = ()
    error: str | None = None
    empty_reason: str | None = None


def plan_panels(
    dashboard: dict[str, Any],
    client: PrometheusClient,
    options: ValidateOptions,
    *,
    pool: Executor | None = None,
) -> tuple[Resolution, list[PanelPlan]]:
    """Resolve one dashboard's variables and plan every panel's queries for their values."""
    resolution = resolve(
        dashboard, client, options.time_range, scrape_interval=options.scrape_interval, pool=pool
    )
    plans = plan_dashboard(
        dashboard,
        resolution,
        time_range=options.time_range,
        scrape_interval=options.scrape_interval,
        max_combinations=options.max_combinations,
        separate=partial(
            separation, time_range=options.time_range, scrape_interval=options.scrape_interval
        )
        if options.batch
        else None,
    )
    built = built_flavor(dashboard)
    if options.sandbox_flavor and built and built != options.sandbox_flavor:
        note = (
            f"; its panels are pinned to {built} while the sandbox simulates "
            f"{options.sandbox_flavor} (pin no flavor= to follow {options.names.flavor}, or "
            f"set {options.names.flavor} to {built})"
        )
        plans = [replace(p, skipped=p.skipped + note) if p.skipped else p for p in plans]
    return resolution, plans


def built_flavor(dashboard: dict[str, Any]) -> str | None:
    """The mesh a dashboard's variables were built for: the one flavor whose label they read."""
    text = json.dumps(dashboard.get("templating", {}))
    found = {f.name for f in FLAVORS.values() if f.destination_label in text}
    return found.pop() if len(found) == 1 else None


def validate(
    dashboards: Sequence[BuiltDashboard], client: PrometheusClient, options: ValidateOptions
) -> Report:
    """Resolve variables, run every target (batched where sound), and report what failed."""
    client.check()
    report = Report(client.connection.display_url, options.range_text)
    plans: list[PanelPlan] = []
    resolutions: dict[str, Resolution] = {}
    where = {d.uid: Location(d.uid, d.title, d.source) for d in dashboards}
    with ThreadPoolExecutor(max_workers=max(1, options.parallel)) as pool:
        for item in dashboards:
            resolution, planned = plan_panels(item.data, client, options, pool=pool)
            resolutions[item.uid] = resolution
            _report_variables(report, where[item.uid], resolution)
            plans.extend(planned)
        outcomes, report.queries = run_planned(client, plans, resolutions, options, pool)
    for plan in plans:
        outcome = [outcomes[id(job)] for job in plan.jobs]
        _judge_panel(report, plan, where[plan.key.dashboard], outcome)
        report.checked.append(PanelCheck(plan.key.dashboard, plan.key.title, plan.combinations))
        for ref_id, found in plan.separations.items():
            if found.reason:
                report.fallbacks.append(
                    f"{plan.key.dashboard} panel {plan.key.title!r} {ref_id}: one query per "
                    f"combination (at most {options.names.max_combinations}): {found.reason}"
                )
    report.requests = client.requests_sent
    return report


def run_planned(
    client: PrometheusClient,
    plans: Sequence[PanelPlan],
    resolutions: dict[str, Resolution],
    options: ValidateOptions,
    pool: Executor,
) -> tuple[dict[int, QueryOutcome], int]:
    """Every job's outcome (keyed by ``id(job)``) and how many queries answered them.

    Separable targets run as one batch each; a combination its batch leaves
    empty is diagnosed on its own query. The rest run one query per job.
    """
    jobs = [job for plan in plans for job in plan.jobs]
    separations = {(p.key, ref_id): s for p in plans for ref_id, s in p.separations.items()}
    found, single = batches(
        jobs,
        separations,
        resolutions,
        time_range=options.time_range,
        scrape_interval=options.scrape_interval,
    )
    window = QueryWindow.of(options.time_range, options.scrape_interval)
    at = options.time_range.end_ms / 1000
    shares, refused = run_batches(client, found, window.validation, at=at, pool=pool)
    text = options.range_text
    alone = partial(run_job, client, window=window, at=at, range_text=text, names=options.names)
    outcomes = _run_expanded(pool, [*single, *refused], alone)
    batched = [job for batch in found for job in batch.jobs if id(job) in shares]
    empty = [job for job in batched if not shares[id(job)]]
    explain = partial(explain_job, client, at=at, range_text=text, names=options.names)
    outcomes.update(_run_expanded(pool, empty, explain))
    for job in batched:
        if shares[id(job)]:
            outcomes[id(job)] = QueryOutcome(job, series=shares[id(job)])
    return outcomes, len(found) - len({id(j.ref) for j in refused}) + len(single)


def _run_expanded(
    pool: Executor, jobs: Sequence[Job], run: Callable[[Job], QueryOutcome]
) -> dict[int, QueryOutcome]:
    """``run`` on each job with its expression, keyed by the planned job's ``id``."""
    return _all_or_raise({pool.submit(run, job.expanded()): job for job in jobs})


def _all_or_raise(futures: dict[Future[QueryOutcome], Job]) -> dict[int, QueryOutcome]:
    done, _ = wait(futures, return_when=FIRST_EXCEPTION)
    for future in done:
        error = future.exception()
        if error is not None:
            for pending in futures:
                pending.cancel()
            raise error
    return {id(futures[f]): f.result() for f in futures}


def explain_job(
    client: PrometheusClient,
    job: Job,
    *,
    at: float,
    range_text: str,
    names: SettingNames = LIBRARY_NAMES,
) -> QueryOutcome:
    """The outcome of a job whose query returned no series: which matcher removed the data."""
    assert job.expr is not None
    try:
        reason = explain_no_series(client, job.expr, at=at, window=range_text, names=names)
    except (PrometheusUnreachable, PrometheusAuthError):
        raise
    except PrometheusError as exc:
        return QueryOutcome(job, error=f"query failed: {exc}")
    return QueryOutcome(job, empty_reason=reason)


def run_job(
    client: PrometheusClient,
    job: Job,
    window: QueryWindow,
    *,
    at: float,
    range_text: str,
    names: SettingNames = LIBRARY_NAMES,
) -> QueryOutcome:
    """Run one job's query; for an empty result, find out which matcher removed the data."""
    if job.expr is None:
        return QueryOutcome(job, error=f"cannot interpolate the query: {job.error}")
    try:
        if job.ref.instant and not job.ref.range:
            series = client.instant(job.expr, at=at)
        else:
            start, end, step = window.validation(job.expr)
            series = client.range(job.expr, start=start, end=end, step=step)
        if series:
            return QueryOutcome(job, series=tuple(series))
    except (PrometheusUnreachable, PrometheusAuthError):
        raise
    except PrometheusError as exc:
        return QueryOutcome(job, error=f"query failed: {exc}")
    return explain_job(client, job, at=at, range_text=range_text, names=names)


def query_window(time_range: TimeRange, scrape: str) -> tuple[float, float, float]:
    """Start, end and step (seconds) of Grafana's range query, aligned to the step as it does."""
    return QueryWindow.of(time_range, scrape).grafana()


@dataclass(frozen=True)
class QueryWindow:
    """Grafana's aligned range (ms) and its ``$__rate_interval``, computed once per run."""

    start_ms: int
    end_ms: int
    grafana_step_ms: int
    rate_interval_ms: int

    @classmethod
    def of(cls, time_range: TimeRange, scrape: str) -> QueryWindow:
        builtins = builtin_values(time_range, scrape_interval=scrape)
        step_ms = max(int(builtins["__interval_ms"]), to_ms(scrape))
        start = (time_range.start_ms // step_ms) * step_ms
        end = (time_range.end_ms // step_ms) * step_ms
        return cls(start, end, step_ms, int(builtins["__rate_interval_ms"]))

    def grafana(self) -> tuple[float, float, float]:
        return self.start_ms / 1000, self.end_ms / 1000, self.grafana_step_ms / 1000

    def validation_step_ms(self, expr: str) -> int:
        """Grafana's step, widened up to the expression's shortest window (see the docstring)."""
        shortest = shortest_range_ms(expr)
        widest = self.rate_interval_ms if shortest is None else min(self.rate_interval_ms, shortest)
        return max(self.grafana_step_ms, widest)

    def validation(self, expr: str) -> tuple[float, float, float]:
        """Start, end, step (seconds) for validating ``expr``: Grafana's last point, fewer of them."""
        step = self.validation_step_ms(expr)
        count = -(-(self.end_ms - self.start_ms) // step)
        return (self.end_ms - count * step) / 1000, self.end_ms / 1000, step / 1000


def shortest_range_ms(expr: str) -> int | None:
    """The shortest range in ``expr`` (interpolated PromQL), None without one or unparsable."""
    try:
        return analysis.shortest_range_ms(promql_parser.parse(expr))
    except ValueError:
        return None


def _judge_panel(
    report: Report, plan: PanelPlan, dashboard: Location, outcomes: list[QueryOutcome]
) -> None:
    report.panels += 1
    before = len(report.problems)
    if plan.skipped:
        report.problems.append(_problem(NO_VALUES, plan, dashboard, None, plan.skipped))
    by_ref: dict[str, list[QueryOutcome]] = {}
    for outcome in outcomes:
        by_ref.setdefault(outcome.job.ref.ref_id, []).append(outcome)
    for ref_outcomes in by_ref.values():
        _judge_target(report, plan, dashboard, ref_outcomes)
    worst = max((p.severity for p in report.problems[before:]), default=None)
    if worst is not None and worst >= Severity.BUG:
        report.panels_failed += 1
    elif worst == Severity.WARNING:
        report.panels_warned += 1


def _judge_target(
    report: Report, plan: PanelPlan, dashboard: Location, outcomes: list[QueryOutcome]
) -> None:
    """One target's outcomes; the first is the base choice its widened jobs extend."""
    all_empty = all(o.empty_reason for o in outcomes)
    base = outcomes[0]
    for outcome in outcomes:
        job = outcome.job
        check: Check
        if outcome.error:
            reason, check = outcome.error, QUERY_ERROR
        elif outcome.empty_reason and job.widened:
            if not base.series:
                continue  # nothing to add to what the base choice's own result says
            reason, check = _widened_empty(job.widened, base.job), WIDENED_EMPTY
        elif outcome.empty_reason and job.ref.may_be_empty:
            reason, check = f"{outcome.empty_reason} (declared: may be empty)", MAY_BE_EMPTY
        elif outcome.empty_reason and all_empty:
            reason, check = outcome.empty_reason, NO_SERIES
        elif outcome.empty_reason:
            reason, check = f"{outcome.empty_reason} (other variable values have data)", SOME_EMPTY
        else:
            missing = _missing_legend_label(job, outcome.series)
            if missing is None:
                continue
            reason, check = missing, LEGEND_LABEL
        report.problems.append(_problem(check, plan, dashboard, job, reason))


def _widened_empty(widened: Widening, base: Job) -> str:
    """Why a result under All or several values is empty while one of those values has data."""
    name = widened.name
    alone = dict(base.values)[name]
    return (
        f"no series, although {name}={alone} alone has data: Grafana sends {widened.sent!r} "
        f"for ${name} here; match it with =~ or !~ (= and != compare the label with that text)"
    )


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
    check: Check, plan: PanelPlan, dashboard: Location, job: Job | None, reason: str
) -> Problem:
    location = replace(
        dashboard,
        panel_title=plan.key.title,
        ref_id=job.ref.ref_id if job else None,
        values=job.values if job else (),
    )
    return check.problem(location, reason, text=job.expanded().expr if job else None)


def _report_variables(report: Report, dashboard: Location, resolution: Resolution) -> None:
    uid = dashboard.dashboard_uid
    report.variables[uid] = dict(resolution.values)
    for name, variable in resolution.variables.items():
        error = resolution.errors.get(name)
        if error or not resolution.values.get(name):
            reason = f"no values: {error}" if error else f"no values for query {variable.query!r}"
            report.problems.append(NO_VALUES.problem(replace(dashboard, variable=name), reason))
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
