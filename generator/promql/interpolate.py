"""Expand Grafana variables and macros in a PromQL expression, as Grafana does.

Grafana first runs its template service over the query (``template_srv.ts``:
``$var``, ``${var}``, ``${var:format}``, ``[[var]]``, ``[[var:format]]``, each
user variable formatted by the Prometheus datasource's ``interpolateQueryExpr``
unless a format is named), then its backend replaces the time macros
(``pkg/promlib/models/query.go``: ``InterpolateVariables``). Unknown variables
are left as written, as Grafana leaves them; :func:`unknown_variables` lists
them so lint can say so.
"""

from __future__ import annotations

import math
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import quote

from generator.errors import InterpolationError
from generator.promql.durations import format_interval, go_duration, round_interval, to_ms
from generator.promql.formats import Value, format_value, prometheus_query_expr

# Grafana's ``variableRegex`` (public/app/features/variables/utils.ts).
VARIABLE_PATTERN = re.compile(
    r"\$(\w+)|\[\[(\w+?)(?::(\w+))?\]\]|\$\{(\w+)(?:\.([^:^\}]+))?(?::([^\}]+))?\}",
    re.ASCII,
)
# Prometheus refuses queries that would return more than 11,000 points per series.
SAFE_RESOLUTION = 11_000
# Grafana's backend resolution when a query carries no maxDataPoints.
DEFAULT_MAX_DATA_POINTS = 1500
ALL_TEXT = "All"
BUILTIN_NAMES = frozenset(
    {
        "__interval",
        "__interval_ms",
        "__rate_interval",
        "__rate_interval_ms",
        "__range",
        "__range_s",
        "__range_ms",
        "__from",
        "__to",
    }
)


@dataclass(frozen=True)
class TimeRange:
    """A dashboard time range in epoch milliseconds."""

    start_ms: int
    end_ms: int

    def __post_init__(self) -> None:
        if self.end_ms <= self.start_ms:
            raise InterpolationError(
                f"time range ends ({self.end_ms}) before it starts ({self.start_ms})"
            )

    @classmethod
    def last(cls, duration: str, *, now_ms: int | None = None) -> TimeRange:
        """The range ``now-<duration>`` to ``now``, as a dashboard's default time picker."""
        end = int(time.time() * 1000) if now_ms is None else now_ms
        return cls(end - to_ms(duration), end)

    @property
    def duration_ms(self) -> int:
        return self.end_ms - self.start_ms


@dataclass(frozen=True)
class VariableValue:
    """The current state of one dashboard variable.

    ``values`` are the selected option values (``texts`` their display texts,
    default the values). When ``all_selected``, the custom ``all_value`` is
    inserted unescaped; without one Grafana uses every option in ``options``.
    """

    values: tuple[str, ...] = ()
    multi: bool = False
    include_all: bool = False
    all_selected: bool = False
    all_value: str | None = None
    options: tuple[str, ...] = ()
    texts: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if self.all_selected and not self.include_all:
            raise InterpolationError("a variable without includeAll cannot have All selected")
        if not self.multi and not self.all_selected and len(self.values) != 1:
            raise InterpolationError(
                f"a single-value variable needs exactly one value, got {len(self.values)}"
            )

    @classmethod
    def single(cls, value: str, *, text: str | None = None) -> VariableValue:
        return cls(values=(value,), texts=None if text is None else (text,))

    @classmethod
    def selected(cls, *values: str, include_all: bool = True) -> VariableValue:
        """A multi-value variable with these values selected."""
        return cls(values=values, multi=True, include_all=include_all)

    @classmethod
    def all(
        cls, *, all_value: str | None = None, options: tuple[str, ...] = (), multi: bool = True
    ) -> VariableValue:
        """A variable with its All option selected."""
        return cls(
            multi=multi, include_all=True, all_selected=True, all_value=all_value, options=options
        )

    def value(self) -> Value:
        """The value as Grafana holds it: a list for multi or All, else a string."""
        if self.all_selected:
            return list(self.options)
        return list(self.values) if self.multi else self.values[0]

    def text(self) -> str:
        if self.all_selected:
            return ALL_TEXT
        return " + ".join(self.texts if self.texts is not None else self.values)


@dataclass(frozen=True)
class VariableRef:
    """One variable reference in a text: its name, span and explicit format."""

    name: str
    start: int
    end: int
    format: str | None
    field_path: str | None = None


def find_references(text: str) -> list[VariableRef]:
    """Every ``$var``/``${var}``/``[[var]]`` reference in ``text``, in order."""
    refs = []
    for m in VARIABLE_PATTERN.finditer(text):
        name = m.group(1) or m.group(2) or m.group(4)
        refs.append(VariableRef(name, m.start(), m.end(), m.group(3) or m.group(6), m.group(5)))
    return refs


def unknown_variables(text: str, variables: Mapping[str, object]) -> list[str]:
    """Names referenced in ``text`` that are neither built-in nor in ``variables``."""
    seen: dict[str, None] = {}
    for ref in find_references(text):
        if ref.name not in BUILTIN_NAMES and ref.name not in variables:
            seen.setdefault(ref.name)
    return list(seen)


def builtin_values(
    time_range: TimeRange, *, scrape_interval: str | float = "15s", max_data_points: int = 1500
) -> dict[str, str]:
    """Grafana's time macros for a query over ``time_range``.

    ``$__interval`` is the range over ``max_data_points`` snapped by
    ``roundInterval`` and never below the scrape interval (the datasource's
    min interval), nor below the 11,000-points safety step;
    ``$__rate_interval`` is ``max($__interval + scrape, 4 * scrape)``.
    """
    if max_data_points <= 0:
        raise InterpolationError(f"max data points must be positive, got {max_data_points}")
    scrape_ms = to_ms(scrape_interval)
    range_ms = time_range.duration_ms
    raw_ms = range_ms / max_data_points
    frontend_ms = max(round_interval(raw_ms), scrape_ms)  # rangeUtil.calculateInterval
    step_ms = scrape_ms if raw_ms < scrape_ms else round_interval(raw_ms)  # intervalv2.Calculate
    step_ms = max(step_ms, round_interval(range_ms / SAFE_RESOLUTION))
    rate_ms = max(frontend_ms + scrape_ms, 4 * scrape_ms)
    range_s = math.floor(range_ms / 1000 + 0.5)  # Go's math.Round, half away from zero
    return {
        "__interval": format_interval(step_ms),
        "__interval_ms": str(step_ms),
        "__rate_interval": go_duration(rate_ms),
        "__rate_interval_ms": str(rate_ms),
        "__range": f"{range_s}s",
        "__range_s": str(range_s),
        "__range_ms": str(range_ms),
        "__from": str(time_range.start_ms),
        "__to": str(time_range.end_ms),
    }


def interpolate(
    expr: str,
    variables: Mapping[str, VariableValue],
    *,
    time_range: TimeRange,
    scrape_interval: str | float = "15s",
    max_data_points: int = DEFAULT_MAX_DATA_POINTS,
    builtin_overrides: Mapping[str, str] | None = None,
    special_chars_in_label_values: bool = False,
) -> str:
    """``expr`` with every known variable and macro replaced as Grafana would.

    ``builtin_overrides`` replaces some macros' values (lint uses sentinel
    durations to find ``$__rate_interval`` in the parsed query).
    ``special_chars_in_label_values`` mirrors Grafana's feature toggle of that
    name (escape ``"`` too); off by default, as in Grafana.
    """
    builtins = builtin_values(
        time_range, scrape_interval=scrape_interval, max_data_points=max_data_points
    )
    builtins.update(builtin_overrides or {})
    expander = _Expander(variables, builtins, special_chars_in_label_values)
    return expander.expand(expr, depth=0)


class _Expander:
    def __init__(
        self, variables: Mapping[str, VariableValue], builtins: dict[str, str], special: bool
    ) -> None:
        self.variables = variables
        self.builtins = builtins
        self.special = special

    def expand(self, text: str, *, depth: int) -> str:
        if depth > len(self.variables):
            raise InterpolationError(f"the All value {text!r} refers to itself")
        _check_braces(text)
        return VARIABLE_PATTERN.sub(lambda m: self._replace(m, depth), text)

    def _replace(self, match: re.Match[str], depth: int) -> str:
        name = match.group(1) or match.group(2) or match.group(4)
        fmt = match.group(3) or match.group(6)
        if name in self.builtins:
            value = self.builtins[name]
            return value if fmt is None else self._format(fmt, name, value, value)
        variable = self.variables.get(name)
        if variable is None or match.group(5) is not None:
            return match.group(0)
        if variable.all_selected and variable.all_value is not None:
            if fmt == "text":
                return ALL_TEXT
            if fmt == "percentencode":
                return format_value(fmt, variable.all_value)
            return self.expand(variable.all_value, depth=depth + 1)
        if fmt is None:
            return prometheus_query_expr(
                variable.value(),
                multi=variable.multi,
                include_all=variable.include_all,
                special_chars=self.special,
            )
        return self._format(fmt, name, variable.value(), variable.text())

    def _format(self, fmt: str, name: str, value: Value, text: str) -> str:
        if fmt == "text":
            return text
        if fmt == "queryparam":
            values = [value] if isinstance(value, str) else value
            return "&".join(f"var-{name}={quote(v, safe='')}" for v in values)
        return format_value(fmt, value)


def _check_braces(text: str) -> None:
    covered = {m.start() for m in VARIABLE_PATTERN.finditer(text)}
    for m in re.finditer(r"\$\{", text):
        if m.start() not in covered:
            raise InterpolationError(
                f"malformed variable reference at column {m.start() + 1}: "
                f"{text[m.start() : m.start() + 20]!r}; write ${{name}} or ${{name:format}}"
            )
