"""From a variable query's raw texts to its options, as Grafana does.

Mirrors ``metricNamesToVariableValues`` and ``sortVariableValues``
(public/app/features/variables/utils.ts, query/operators.ts): the regex is
applied to each text (``exec``: the first match anywhere; with ``/g`` every
match), named groups ``value``/``text`` win over the first capture group,
texts the regex does not match are dropped; options are deduplicated by
value, then sorted by the variable's ``sort``.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

from generator.promql.grafana_regex import compile_grafana_regex

_NUMBER = re.compile(r"\d+")
_NATURAL_PART = re.compile(r"(\d+)")


@dataclass(frozen=True)
class Option:
    """One variable option: what queries get (``value``) and what the picker shows."""

    value: str
    text: str


def extract_options(texts: Iterable[str], regex: str | None, sort: int = 0) -> list[Option]:
    """Options of a query variable from its query's texts, regex and sort setting."""
    pattern = compile_grafana_regex(regex) if regex else None
    is_global = bool(regex) and regex.startswith("/") and "g" in regex[regex.rfind("/") + 1 :]
    options: list[Option] = []
    for text in texts:
        if pattern is None:
            options.append(Option(text, text))
        else:
            options.extend(_apply(pattern, text, is_global))
    seen: dict[str, Option] = {}
    for option in options:
        seen.setdefault(option.value, option)
    return sort_options(list(seen.values()), sort)


def _apply(pattern: re.Pattern[str], text: str, is_global: bool) -> list[Option]:
    matches = (
        list(pattern.finditer(text)) if is_global else [m for m in [pattern.search(text)] if m]
    )
    if not matches:
        return []
    named = _named(matches)
    if named is not None:
        return [named]
    grouped = [m for m in matches if m.re.groups >= 1]
    if len(matches) > 1 and grouped:
        return [Option(m.group(1), m.group(1)) for m in matches if m.group(1) is not None]
    if grouped and grouped[0].group(1) is not None:
        return [Option(grouped[0].group(1), grouped[0].group(1))]
    return [Option(text, text)]


def _named(matches: list[re.Match[str]]) -> Option | None:
    value = next((m.group("value") for m in matches if _group(m, "value")), None)
    text = next((m.group("text") for m in matches if _group(m, "text")), None)
    if value is None and text is None:
        return None
    return Option(value if value is not None else str(text), text if text is not None else value)


def _group(match: re.Match[str], name: str) -> bool:
    return name in match.re.groupindex and bool(match.group(name))


def sort_options(options: list[Option], sort: int) -> list[Option]:
    """Grafana's ``VariableSort``: 0 none, 1/2 alphabetical, 3/4 numerical,
    5/6 case-insensitive, 7/8 natural; odd ascending, even descending."""
    if sort <= 0:
        return options
    keys = {
        1: lambda o: o.text,
        3: lambda o: _first_number(o.text),
        5: lambda o: o.text.lower(),
        7: lambda o: _natural(o.text),
    }
    key = keys.get(sort if sort % 2 else sort - 1)
    if key is None:
        return options
    return sorted(options, key=key, reverse=sort % 2 == 0)


def _first_number(text: str) -> float:
    match = _NUMBER.search(text)
    return float(match.group(0)) if match else float("-inf")


def _natural(text: str) -> list[tuple[int, int | str]]:
    return [
        (0, int(part)) if part.isdigit() else (1, part.lower())
        for part in _NATURAL_PART.split(text)
        if part
    ]
