"""Resolve a dashboard's variables as Grafana does, chained ones per value of their parent.

Variables are resolved in dashboard order. A query variable's query (and
regex) is interpolated with the values chosen so far, run against
Prometheus, and turned into options (:mod:`generator.validate.options`).
The result is every *assignment* (one value per variable) Grafana could
show; a child that has no values under some parent value leaves that
variable unset in the assignment (panels using it are not drawn there).
A chained variable's queries (one per distinct parent value) run at once on
the caller's pool, so ``--parallel`` bounds them as it bounds panel queries.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import Executor
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from generator.errors import (
    DefinitionError,
    InterpolationError,
    PrometheusAuthError,
    PrometheusError,
    PrometheusUnreachable,
)
from generator.promql.dashboard import variables as dashboard_variables
from generator.promql.interpolate import (
    TimeRange,
    VariableValue,
    find_references,
    interpolate,
)
from generator.validate.client import PrometheusClient
from generator.validate.options import Option, extract_options
from generator.validate.variable_query import run_variable_query

Json = Mapping[str, Any]
Assignment = dict[str, str]
#: Variable types whose values come from their own definition, not from Prometheus.
_STATIC = frozenset({"custom", "constant", "textbox", "interval"})
_FATAL = (PrometheusUnreachable, PrometheusAuthError)


@dataclass(frozen=True)
class Variable:
    """A dashboard variable meshdash can resolve."""

    name: str
    kind: str
    query: str
    regex: str | None
    sort: int
    multi: bool
    include_all: bool
    depends_on: tuple[str, ...]
    all_value: str | None = None

    def value(self, value: str) -> VariableValue:
        """This variable with one option selected, as a repeated row or panel sets it."""
        return VariableValue(values=(value,), multi=self.multi, include_all=self.include_all)


@dataclass
class Resolution:
    """Every assignment of a dashboard's variables, and what went wrong resolving them."""

    variables: dict[str, Variable]
    assignments: list[Assignment] = field(default_factory=lambda: [{}])
    values: dict[str, list[str]] = field(default_factory=dict)
    empty_under: dict[str, list[Assignment]] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    def selection(self, assignment: Assignment) -> dict[str, VariableValue]:
        return {n: self.variables[n].value(v) for n, v in assignment.items()}


def parse_variables(dashboard: Json) -> dict[str, Variable]:
    """The dashboard's resolvable variables (data source and ad hoc ones are skipped)."""
    found: dict[str, Variable] = {}
    for raw in dashboard_variables(dashboard):
        kind, name = str(raw.get("type", "")), str(raw.get("name", ""))
        if not name or (kind != "query" and kind not in _STATIC):
            continue
        query = raw.get("query", "")
        if isinstance(query, Mapping):
            query = query.get("query", "")
        query = str(query or "")
        regex = str(raw.get("regex") or "") or None
        refs = {r.name for r in find_references(query + " " + (regex or ""))}
        found[name] = Variable(
            name=name,
            kind=kind,
            query=query,
            regex=regex,
            sort=int(raw.get("sort") or 0),
            multi=bool(raw.get("multi")),
            include_all=bool(raw.get("includeAll")),
            depends_on=tuple(n for n in found if n in refs),
            all_value=str(raw.get("allValue") or "") or None,
        )
    return found


def resolve(
    dashboard: Json,
    client: PrometheusClient,
    time_range: TimeRange,
    *,
    scrape_interval: str,
    pool: Executor | None = None,
) -> Resolution:
    """Resolve every variable of ``dashboard`` against ``client``, on ``pool`` if given."""
    result = Resolution(parse_variables(dashboard))
    resolver = _Resolver(client, time_range, scrape_interval, result, pool)
    for variable in result.variables.values():
        resolver.extend(variable)
    return result


class _Resolver:
    def __init__(
        self,
        client: PrometheusClient,
        time_range: TimeRange,
        scrape_interval: str,
        result: Resolution,
        pool: Executor | None,
    ) -> None:
        self.client = client
        self.pool = pool
        self.time_range = time_range
        self.scrape_interval = scrape_interval
        self.result = result
        self._cache: dict[tuple[tuple[str, str], ...], list[Option]] = {}

    def prefetch(self, variable: Variable) -> None:
        """Fetch ``variable``'s options under every distinct parent choice, concurrently.

        Errors are recorded in parent order, so the report does not depend on timing.
        """
        keys: dict[tuple[tuple[str, str], ...], None] = {}
        for assignment in self.result.assignments:
            if all(dep in assignment for dep in variable.depends_on):
                key = self._key(variable, assignment)
                if key not in self._cache:
                    keys.setdefault(key)
        fetch = partial(self._fetch, variable)
        parents = [dict(key[1:]) for key in keys]
        mapped = (
            self.pool.map(fetch, parents) if self.pool and len(parents) > 1 else map(fetch, parents)
        )
        for key, (options, error) in zip(keys, mapped, strict=True):
            self._cache[key] = options
            if error is not None:
                self.result.errors.setdefault(variable.name, error)

    def extend(self, variable: Variable) -> None:
        """Multiply the assignments by ``variable``'s options under each of them."""
        self.prefetch(variable)
        result, name = self.result, variable.name
        extended: list[Assignment] = []
        seen: dict[str, None] = {}
        for assignment in result.assignments:
            if any(dep not in assignment for dep in variable.depends_on):
                extended.append(assignment)
                continue
            options = self._options(variable, assignment)
            if options:
                extended.extend({**assignment, name: o.value} for o in options)
                seen.update(dict.fromkeys(o.value for o in options))
                continue
            extended.append(assignment)
            if name not in result.errors:
                parents = {d: assignment[d] for d in variable.depends_on}
                result.empty_under.setdefault(name, []).append(parents)
        result.assignments = extended
        result.values[name] = list(seen)

    @staticmethod
    def _key(variable: Variable, assignment: Assignment) -> tuple[tuple[str, str], ...]:
        return (("", variable.name), *((d, assignment[d]) for d in variable.depends_on))

    def _options(self, variable: Variable, assignment: Assignment) -> list[Option]:
        return self._cache[self._key(variable, assignment)]

    def _fetch(self, variable: Variable, parents: Assignment) -> tuple[list[Option], str | None]:
        """The options under ``parents``, or none and why; safe to run on any thread."""
        selection = self.result.selection(parents)
        try:
            query = self._interpolate(variable.query, selection)
            regex = self._interpolate_regex(variable.regex, selection)
            if variable.kind in _STATIC:
                return _static_options(variable, query), None
            start, end = self.time_range.start_ms / 1000, self.time_range.end_ms / 1000
            texts = run_variable_query(self.client, query, start=start, end=end)
            return extract_options(texts, regex, variable.sort), None
        except _FATAL:
            raise
        except (PrometheusError, InterpolationError, DefinitionError) as exc:
            return [], str(exc)

    def _interpolate(self, text: str, selection: Mapping[str, VariableValue]) -> str:
        return interpolate(
            text, selection, time_range=self.time_range, scrape_interval=self.scrape_interval
        )

    def _interpolate_regex(
        self, regex: str | None, selection: Mapping[str, VariableValue]
    ) -> str | None:
        """Grafana replaces variables in a regex with the ``regex`` format."""
        if not regex:
            return regex
        out, last = [], 0
        for ref in find_references(regex):
            out.append(regex[last : ref.start])
            out.append(
                f"${{{ref.name}:regex}}" if ref.name in selection else regex[ref.start : ref.end]
            )
            last = ref.end
        out.append(regex[last:])
        return self._interpolate("".join(out), selection)


def _static_options(variable: Variable, query: str) -> list[Option]:
    if variable.kind in {"constant", "textbox"}:
        return [Option(query, query)] if query else []
    options = []
    for part in _split_custom(query):
        text, sep, value = part.partition(" : ")
        options.append(Option(value.strip(), text.strip()) if sep else Option(part, part))
    return options


def _split_custom(query: str) -> list[str]:
    """Grafana's custom variable split: commas, except escaped ``\\,``."""
    parts, current, escaped = [], "", False
    for char in query:
        if escaped:
            current += char
            escaped = False
        elif char == "\\":
            escaped = True
        elif char == ",":
            parts.append(current.strip())
            current = ""
        else:
            current += char
    parts.append(current.strip())
    return [p for p in parts if p]
