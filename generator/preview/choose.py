"""Which variable values a preview shows: the ``--var`` choices, else Grafana's defaults.

Every variable's options come from validate's resolution (:func:`generator.validate.resolve`),
narrowed to the parent values chosen: a chained ``$upstream`` offers the upstreams of the
services selected. Grafana's default is the saved ``current`` value when it is still an
option; otherwise All when the variable offers it, else the first option.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from generator.errors import ConfigError
from generator.promql.dashboard import variables as dashboard_variables
from generator.promql.interpolate import VariableValue
from generator.validate.resolve import Resolution, Variable

ALL_VALUES = frozenset({"$__all", "All"})


@dataclass(frozen=True)
class Choice:
    """One variable as the preview shows it: its options and the values selected."""

    variable: Variable
    options: tuple[str, ...]
    values: tuple[str, ...]
    all_selected: bool
    all_value: str | None

    def as_value(self) -> VariableValue:
        """The selection as query interpolation takes it."""
        variable = self.variable
        if self.all_selected:
            return VariableValue.all(
                all_value=self.all_value, options=self.options, multi=variable.multi
            )
        multi = variable.multi or len(self.values) != 1
        return VariableValue(values=self.values, multi=multi, include_all=variable.include_all)

    def text(self) -> str:
        return "All" if self.all_selected else " + ".join(self.values) or "(none)"


def choose(
    dashboard: Mapping[str, Any], resolution: Resolution, chosen: Mapping[str, tuple[str, ...]]
) -> dict[str, Choice]:
    """The choice of every resolvable variable, in dashboard order."""
    raw = {str(v.get("name")): v for v in dashboard_variables(dashboard)}
    uid = dashboard.get("uid", "")
    choices: dict[str, Choice] = {}
    for name, variable in resolution.variables.items():
        parents = {dep: choices[dep].values for dep in variable.depends_on if dep in choices}
        options = _options_under(resolution, name, parents)
        wanted = chosen.get(name)
        if wanted and not set(wanted) & ALL_VALUES:
            unknown = [v for v in wanted if v not in options]
            if unknown:
                offered = ", ".join(options) or "none"
                raise ConfigError(
                    f"dashboard {uid}: {name}={unknown[0]} is not a value of ${name} "
                    f"(its values: {offered}); pick one of them",
                    setting="variables",
                )
        else:
            wanted = wanted or _current(raw.get(name, {}), options)
        choices[name] = _choice(variable, raw.get(name, {}), options, wanted)
    return choices


def selection(choices: Mapping[str, Choice]) -> dict[str, VariableValue]:
    """Every chosen variable as interpolation takes it (variables without values are left out)."""
    return {n: c.as_value() for n, c in choices.items() if c.values or c.all_selected}


def _options_under(
    resolution: Resolution, name: str, parents: Mapping[str, tuple[str, ...]]
) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for assignment in resolution.assignments:
        if name in assignment and all(assignment.get(p) in v for p, v in parents.items()):
            seen.setdefault(assignment[name])
    return tuple(seen)


def _current(raw: Mapping[str, Any], options: tuple[str, ...]) -> tuple[str, ...] | None:
    """The saved selection, if it is still an option (or All)."""
    value = (raw.get("current") or {}).get("value")
    values = tuple(
        str(v) for v in ([] if value is None else [value] if isinstance(value, str) else value)
    )
    if values and (set(values) & ALL_VALUES or all(v in options for v in values)):
        return values
    return None


def _choice(
    variable: Variable,
    raw: Mapping[str, Any],
    options: tuple[str, ...],
    wanted: tuple[str, ...] | None,
) -> Choice:
    all_value = str(raw.get("allValue") or "") or None
    wants_all = wanted is None or bool(set(wanted) & ALL_VALUES)
    if wants_all and variable.include_all:
        return Choice(variable, options, options, True, all_value)
    values = options[:1] if wanted is None or wants_all else wanted
    return Choice(variable, options, values, False, all_value)
