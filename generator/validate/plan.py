"""Which queries to run: every target of every panel, per choice of the variables it uses."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.errors import InterpolationError
from generator.promql.dashboard import TargetRef, iter_targets, panels_with_rows, repeated_variables
from generator.promql.interpolate import TimeRange, find_references, interpolate
from generator.validate.resolve import Assignment, Resolution

Json = Mapping[str, Any]


@dataclass(frozen=True)
class PanelKey:
    dashboard: str
    index: int
    title: str


@dataclass(frozen=True)
class Job:
    """One query to run: a target interpolated for one choice of variable values."""

    panel: PanelKey
    ref: TargetRef
    values: tuple[tuple[str, str], ...]
    expr: str | None
    error: str | None = None


@dataclass(frozen=True)
class PanelPlan:
    key: PanelKey
    jobs: tuple[Job, ...]
    skipped: str | None = None


def plan_dashboard(
    dashboard: Json,
    resolution: Resolution,
    *,
    time_range: TimeRange,
    scrape_interval: str,
    max_combinations: int,
) -> list[PanelPlan]:
    """A plan per panel with targets: its jobs, or why it cannot be run."""
    uid = str(dashboard.get("uid", ""))
    by_panel: dict[int, list[TargetRef]] = {}
    for ref in iter_targets(dashboard):
        by_panel.setdefault(id(ref.panel), []).append(ref)
    plans = []
    for index, (panel, row) in enumerate(panels_with_rows(dashboard)):
        refs = by_panel.get(id(panel))
        if not refs:
            continue
        key = PanelKey(uid, index, str(panel.get("title", "")))
        needed = _needed(panel, row, refs, resolution)
        combos = combinations(resolution.assignments, needed, max_combinations)
        if not combos:
            missing = ", ".join(f"${n}" for n in needed)
            plans.append(PanelPlan(key, (), f"not run: {missing} has no values"))
            continue
        jobs = tuple(
            _job(key, ref, combo, resolution, time_range, scrape_interval)
            for combo in combos
            for ref in refs
        )
        plans.append(PanelPlan(key, jobs))
    return plans


def combinations(
    assignments: list[Assignment], needed: tuple[str, ...], cap: int
) -> list[tuple[tuple[str, str], ...]]:
    """Distinct choices of the ``needed`` variables, at most ``cap``, evenly spread."""
    seen: dict[tuple[tuple[str, str], ...], None] = {}
    for assignment in assignments:
        if all(n in assignment for n in needed):
            seen.setdefault(tuple((n, assignment[n]) for n in needed))
    combos = list(seen)
    if len(combos) <= cap:
        return combos
    if cap <= 1:
        return combos[:cap]
    picks = sorted({round(i * (len(combos) - 1) / (cap - 1)) for i in range(cap)})
    return [combos[i] for i in picks]


def _needed(
    panel: Json, row: Json | None, refs: list[TargetRef], resolution: Resolution
) -> tuple[str, ...]:
    """Variables the panel's queries use, its repeats, and every variable they depend on."""
    names = {r.name for ref in refs for r in find_references(ref.expr)}
    names |= repeated_variables(panel, row)
    pending = [n for n in names if n in resolution.variables]
    closed: set[str] = set()
    while pending:
        name = pending.pop()
        if name not in closed:
            closed.add(name)
            pending.extend(resolution.variables[name].depends_on)
    return tuple(n for n in resolution.variables if n in closed)


def _job(
    key: PanelKey,
    ref: TargetRef,
    combo: tuple[tuple[str, str], ...],
    resolution: Resolution,
    time_range: TimeRange,
    scrape_interval: str,
) -> Job:
    selection = resolution.selection(dict(combo))
    try:
        expr = interpolate(
            ref.expr, selection, time_range=time_range, scrape_interval=scrape_interval
        )
    except InterpolationError as exc:
        return Job(key, ref, combo, None, str(exc))
    return Job(key, ref, combo, expr)
