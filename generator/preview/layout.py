"""Panels placed on Grafana's 24-column grid, repeated rows expanded for the chosen values.

Grafana stacks a repeated row's copies one under the other, each with its own
value of the repeat variable, and moves whatever follows down by the height
they add. Panels keep their ``gridPos`` relative to their row. Collapsed rows
are drawn open: a preview is for looking at every panel.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

from generator.preview.choose import Choice
from generator.promql.interpolate import VariableValue, find_references

Json = Mapping[str, Any]
GRID_COLUMNS = 24


@dataclass(frozen=True)
class Placed:
    """One panel (or row header) where the preview draws it, with the variables it sees."""

    panel: Json
    title: str
    x: int
    y: int
    w: int
    h: int
    selection: Mapping[str, VariableValue] = field(repr=False)
    repeat: tuple[tuple[str, str], ...] = ()

    @property
    def is_row(self) -> bool:
        return self.panel.get("type") == "row"


@dataclass(frozen=True)
class Layout:
    """Every placed panel and the grid's height in rows."""

    panels: tuple[Placed, ...]
    height: int


def layout(dashboard: Json, choices: Mapping[str, Choice]) -> Layout:
    """Place every panel, one copy of a repeated row per selected value."""
    base = {n: c.as_value() for n, c in choices.items() if c.values or c.all_selected}
    placed: list[Placed] = []
    cursor = 0
    for row, panels in _sections(dashboard):
        members = ([row] if row else []) + panels
        if not members:
            continue
        top = min(_grid(p)[1] for p in members)
        height = max(_grid(p)[1] + _grid(p)[3] for p in members) - top
        for repeat in _repeat_values(row, choices):
            selection = {**base, **{n: choices[n].variable.value(v) for n, v in repeat}}
            for panel in members:
                x, y, w, h = _grid(panel)
                title = interpolate_text(str(panel.get("title", "")), selection)
                placed.append(Placed(panel, title, x, cursor + y - top, w, h, selection, repeat))
            cursor += height
    return Layout(tuple(placed), cursor)


def interpolate_text(text: str, selection: Mapping[str, VariableValue]) -> str:
    """A title with each known variable replaced by its display text, as Grafana shows it."""
    out, last = [], 0
    for ref in find_references(text):
        out.append(text[last : ref.start])
        value = selection.get(ref.name)
        out.append(value.text() if value is not None else text[ref.start : ref.end])
        last = ref.end
    out.append(text[last:])
    return "".join(out)


def _sections(dashboard: Json) -> Iterator[tuple[Json | None, list[Json]]]:
    """The panels before the first row, then each row with the panels it holds."""
    row: Json | None = None
    panels: list[Json] = []
    for panel in dashboard.get("panels") or ():
        if panel.get("type") != "row":
            panels.append(panel)
            continue
        yield row, panels
        row, panels = panel, list(panel.get("panels") or ())
    yield row, panels


def _repeat_values(
    row: Json | None, choices: Mapping[str, Choice]
) -> list[tuple[tuple[str, str], ...]]:
    name = str((row or {}).get("repeat") or "")
    choice = choices.get(name)
    if not name or choice is None:
        return [()]
    return [((name, value),) for value in choice.values] or [()]


def _grid(panel: Json) -> tuple[int, int, int, int]:
    pos = panel.get("gridPos") or {}
    width = min(int(pos.get("w") or GRID_COLUMNS), GRID_COLUMNS)
    x = max(0, min(int(pos.get("x") or 0), GRID_COLUMNS - width))
    return x, int(pos.get("y") or 0), width, max(1, int(pos.get("h") or 8))
