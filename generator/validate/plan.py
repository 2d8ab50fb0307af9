"""Which queries to run: every target of every panel, per choice of the variables it uses.

Single values come from the resolved assignments. Grafana also lets a user pick
**All** or **several values** of a multi-value or include-All variable, and then
sends ``.+`` (the allValue) or ``(a|b)``; so each such variable the panel uses
(and does not repeat on) is also tried once with All and once with two values,
the other variables kept at the first choice (the *base*). Those jobs are
*widened*: their series are a superset of the base's, so an empty widened
result beside a base with data is a broken query, not missing traffic.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.errors import InterpolationError
from generator.promql.dashboard import TargetRef, iter_targets, panels_with_rows, repeated_variables
from generator.promql.interpolate import (
    ALL_TEXT,
    TimeRange,
    VariableValue,
    find_references,
    interpolate,
)
from generator.validate.resolve import Assignment, Resolution

Json = Mapping[str, Any]


@dataclass(frozen=True)
class PanelKey:
    dashboard: str
    index: int
    title: str


@dataclass(frozen=True)
class Widening:
    """One variable set to All or several values: its name and the text Grafana sends."""

    name: str
    sent: str


@dataclass(frozen=True)
class Job:
    """One query to run: a target interpolated for one choice of variable values.

    ``values`` shows the choice (``service=All``, ``service=api+payments``);
    ``widened`` is set when one variable holds All or several values.
    """

    panel: PanelKey
    ref: TargetRef
    values: tuple[tuple[str, str], ...]
    expr: str | None
    error: str | None = None
    widened: Widening | None = None
    #: For a job a batch answers: builds this job with ``expr`` set, when it is needed
    #: (an empty result to diagnose, a problem to report), not for every combination.
    deferred: Callable[[], Job] | None = field(default=None, compare=False, repr=False)

    def expanded(self) -> Job:
        """This job with its expression interpolated."""
        return self.deferred() if self.deferred is not None else self


@dataclass(frozen=True)
class Separation:
    """How a target's variables map to labels, or why it needs one query per combination."""

    labels: tuple[tuple[str, str], ...] = ()
    reason: str | None = None
    #: Labels the batch adds that the target's own result does not have.
    added: frozenset[str] = frozenset()

    @property
    def separable(self) -> bool:
        return self.reason is None


#: Decides a target's :class:`Separation` under a resolution.
Separate = Callable[[TargetRef, Resolution], Separation]


@dataclass(frozen=True)
class PanelPlan:
    key: PanelKey
    jobs: tuple[Job, ...]
    skipped: str | None = None
    #: Per refId: whether its target runs batched (see :mod:`generator.validate.batch`).
    separations: Mapping[str, Separation] = field(default_factory=dict)

    @property
    def combinations(self) -> int:
        """Distinct choices of variable values its jobs check."""
        return len({(job.values, job.widened) for job in self.jobs})


def plan_dashboard(
    dashboard: Json,
    resolution: Resolution,
    *,
    time_range: TimeRange,
    scrape_interval: str,
    max_combinations: int,
    separate: Separate | None = None,
) -> list[PanelPlan]:
    """A plan per panel with targets: its jobs, or why it cannot be run.

    With ``separate``, a target it finds separable is planned for every
    combination of values (one batched query answers them all); the others,
    and every target without it, for at most ``max_combinations``.
    """
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
        base = combinations(resolution.assignments, needed, 1)
        if not base:
            missing = ", ".join(f"${n}" for n in needed)
            plans.append(PanelPlan(key, (), f"not run: {missing} has no values"))
            continue
        wide = _widenable(refs, resolution, repeated_variables(panel, row))
        widened = widened_choices(base[0], wide, resolution)[: max_combinations - 1]
        capped = combinations(resolution.assignments, needed, max_combinations - len(widened))
        every = combinations(resolution.assignments, needed, None) if separate else capped
        jobs: list[Job] = []
        separations: dict[str, Separation] = {}
        for ref in refs:
            found = separate(ref, resolution) if separate else None
            if found is not None:
                separations[ref.ref_id] = found
            if found is not None and found.separable:
                jobs.extend(_deferred(key, ref, combo, resolution, time_range, scrape_interval)
                            for combo in every)  # fmt: skip
            else:
                choices = [_single(combo, resolution) for combo in capped]
                jobs.extend(_job(key, ref, c, time_range, scrape_interval) for c in choices)
            jobs.extend(_job(key, ref, choice, time_range, scrape_interval) for choice in widened)
        plans.append(PanelPlan(key, tuple(jobs), separations=separations))
    return plans


@dataclass(frozen=True)
class Choice:
    """Values for the variables a panel needs, as shown and as interpolated."""

    shown: tuple[tuple[str, str], ...]
    selection: dict[str, VariableValue]
    widened: str | None = None


def _single(combo: tuple[tuple[str, str], ...], resolution: Resolution) -> Choice:
    return Choice(combo, resolution.selection(dict(combo)))


def _widenable(
    refs: list[TargetRef], resolution: Resolution, repeated: frozenset[str]
) -> list[str]:
    """Variables the queries use that a user can set to All or several values.

    A panel or row repeated on a variable shows one value per copy.
    """
    used = {r.name for ref in refs for r in find_references(ref.expr)} - repeated
    return [
        name
        for name, variable in resolution.variables.items()
        if name in used and (variable.multi or variable.include_all)
    ]


def widened_choices(
    base: tuple[tuple[str, str], ...], names: list[str], resolution: Resolution
) -> list[Choice]:
    """For each of ``names``: the base choice with it at All, then at two values."""
    choices = []
    base_values = dict(base)
    for name in names:
        variable = resolution.variables[name]
        options = _options_under(name, base_values, resolution)
        picks: list[tuple[str, VariableValue]] = []
        if variable.include_all:
            all_value = VariableValue.all(
                all_value=variable.all_value, options=tuple(options), multi=variable.multi
            )
            picks.append((ALL_TEXT, all_value))
        others = [o for o in options if o != base_values[name]]
        if variable.multi and others:
            two = (base_values[name], others[0])
            picks.append(
                ("+".join(two), VariableValue.selected(*two, include_all=variable.include_all))
            )
        for shown, value in picks:
            selection = {**resolution.selection(base_values), name: value}
            values = tuple((n, shown if n == name else v) for n, v in base)
            choices.append(Choice(values, selection, name))
    return choices


def _options_under(name: str, base: Assignment, resolution: Resolution) -> list[str]:
    """The options of ``name`` under the base choice of the variables it depends on."""
    parents = resolution.variables[name].depends_on
    found: dict[str, None] = {}
    for assignment in resolution.assignments:
        if name in assignment and all(assignment.get(p) == base.get(p) for p in parents):
            found.setdefault(assignment[name])
    return list(found)


def combinations(
    assignments: list[Assignment], needed: tuple[str, ...], cap: int | None
) -> list[tuple[tuple[str, str], ...]]:
    """Distinct choices of the ``needed`` variables, at most ``cap`` (None: all), evenly spread."""
    seen: dict[tuple[tuple[str, str], ...], None] = {}
    for assignment in assignments:
        if all(n in assignment for n in needed):
            seen.setdefault(tuple((n, assignment[n]) for n in needed))
    combos = list(seen)
    if cap is None or len(combos) <= cap:
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


def _deferred(
    key: PanelKey,
    ref: TargetRef,
    combo: tuple[tuple[str, str], ...],
    resolution: Resolution,
    time_range: TimeRange,
    scrape_interval: str,
) -> Job:
    """A job whose expression is interpolated only if it is asked for."""

    def expand() -> Job:
        return _job(key, ref, _single(combo, resolution), time_range, scrape_interval)

    return Job(key, ref, combo, None, deferred=expand)


def _job(
    key: PanelKey, ref: TargetRef, choice: Choice, time_range: TimeRange, scrape_interval: str
) -> Job:
    def expand(text: str) -> str:
        return interpolate(
            text, choice.selection, time_range=time_range, scrape_interval=scrape_interval
        )

    try:
        widened = (
            Widening(choice.widened, expand(f"${{{choice.widened}}}")) if choice.widened else None
        )
        expr = expand(ref.expr)
    except InterpolationError as exc:
        return Job(key, ref, choice.shown, None, str(exc))
    return Job(key, ref, choice.shown, expr, widened=widened)
