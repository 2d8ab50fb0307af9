"""MD106 promql/multi-value-equality."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping

import promql_parser as pp

from generator.errors import InterpolationError
from generator.promql.analysis import selectors
from generator.promql.dashboard import (
    panels_with_rows,
    repeated_variables,
    variable_promql,
    variables,
)
from generator.promql.interpolate import VariableValue, find_references
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Location, Problem, Severity
from generator.promql.lint.rules.base import Rule

_REGEX = {"=": "=~", "!=": "!~"}


# The text just before a reference inside an exact matcher's string: `="`, `!= 'pre-`.
_EXACT_BEFORE = re.compile(r"(?<![=!~])!?=\s*[\"'`][^\"'`]*$")


def _marker(name: str) -> str:
    """A value no real label holds, so the parsed query shows where the variable landed."""
    return f"md106x{name}x"


class MultiValueEquality(Rule):
    """A multi-value or include-All variable is matched with ``=~``/``!~``, never ``=``/``!=``.

    With All or two values selected Grafana sends ``.+`` or ``(a|b)``; an
    exact matcher compares the label with that text and the panel shows
    "No data". A panel or row that repeats on the variable sees one value
    per copy, so an exact matcher is fine there. A chained variable's query
    (``$upstream`` under ``$service``) is checked too: it goes empty the same way.

    **Anti-pattern**::

        rate(envoy_cluster_upstream_rq_total{consul_source_service="$service"}[$__rate_interval])

    **Best practice**::

        rate(envoy_cluster_upstream_rq_total{consul_source_service=~"$service"}[$__rate_interval])
    """

    code = "MD106"
    name = "promql/multi-value-equality"
    severity = Severity.BUG

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        sends = _sends(ctx)
        if not sends:
            return
        repeats = {id(p): repeated_variables(p, row) for p, row in panels_with_rows(ctx.dashboard)}
        for target in ctx.targets:
            repeated = repeats.get(id(target.ref.panel), frozenset())
            checked = {n: s for n, s in sends.items() if n not in repeated}
            yield from self._check(ctx, target.ref.expr, checked, target.location, "the panel")
        for variable in variables(ctx.dashboard):
            query = variable_promql(variable)
            if query is not None:
                name = str(variable.get("name"))
                checked = {n: s for n, s in sends.items() if n != name}
                where = ctx.location(variable=name)
                yield from self._check(ctx, query, checked, where, f"${name}")

    def _check(
        self,
        ctx: DashboardContext,
        text: str,
        sends: Mapping[str, str],
        where: Location,
        shows: str,
    ) -> Iterator[Problem]:
        """Exact matchers in ``text`` on the variables of ``sends`` (name -> what Grafana sends)."""
        used = {r.name for r in find_references(text)} & set(sends)
        if not used:
            return
        values = {**ctx.sample_values, **{n: VariableValue.single(_marker(n)) for n in used}}
        try:
            ast = pp.parse(ctx.interpolate(text, values, sentinels=True))
        except (InterpolationError, ValueError):
            return  # promql/syntax reports it
        for label, op, name in _exact_matches(ast, used):
            yield self.problem(
                where,
                f"{label}{op} matches ${name} exactly, but {sends[name]}, "
                f'and {shows} shows "No data"; use {_REGEX[op]}',
                text=text,
                span=_span(text, name),
            )


def _sends(ctx: DashboardContext) -> dict[str, str]:
    """What Grafana sends for each multi-value or include-All variable, as a message part."""
    found = {}
    for variable in variables(ctx.dashboard):
        multi, include_all = variable.get("multi"), variable.get("includeAll")
        if not variable.get("name") or not (multi or include_all):
            continue
        choices = []
        if include_all:
            choices.append(f"All selected Grafana sends {variable.get('allValue') or '(a|b|...)'}")
        if multi:
            choices.append("two values selected it sends (a|b)")
        found[str(variable["name"])] = "with " + " and with ".join(choices)
    return found


def _exact_matches(ast: pp.Expr, names: Iterable[str]) -> Iterable[tuple[str, str, str]]:
    """(label, operator, variable) of every ``=``/``!=`` matcher whose value holds a variable."""
    markers: Mapping[str, str] = {_marker(n): n for n in names}
    found: dict[tuple[str, str, str], None] = {}
    for selector in selectors(ast):
        for matcher in selector.matchers.matchers:
            op = _exact_operator(matcher.op)
            for marker, name in markers.items():
                if op and marker in matcher.value:
                    found.setdefault((matcher.name, op, name))
    return list(found)


def _exact_operator(op: pp.MatchOp) -> str | None:
    if op == pp.MatchOp.Equal:
        return "="
    return "!=" if op == pp.MatchOp.NotEqual else None


def _span(text: str, name: str) -> tuple[int, int] | None:
    """The reference to ``name`` inside an exact matcher, else its first reference."""
    refs = [r for r in find_references(text) if r.name == name]
    for ref in refs:
        if _EXACT_BEFORE.search(text[: ref.start]):
            return ref.start, ref.end
    return (refs[0].start, refs[0].end) if refs else None
