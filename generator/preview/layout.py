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

from generator.preview.choose import Choice, selection
from generator.promql.dashboard import walk_panels
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
    """Place every panel: one copy of a repeated row, or of a repeated panel, per value."""
    base = selection(choices)
    placed: list[Placed] = []
    cursor = 0
    for row, panels in _sections(dashboard):
        cells = _repeat_panels(([row] if row else []) + panels, choices)
        if not cells:
            continue
        top = min(c.y for c in cells)
        height = max(c.y + c.h for c in cells) - top
        for row_value in _repeat_values(row, choices):
            for cell in cells:
                repeat = row_value + cell.repeat
                chosen = {**base, **{n: choices[n].variable.value(v) for n, v in repeat}}
                title = interpolate_text(str(cell.panel.get("title", "")), chosen)
                y = cursor + cell.y - top
                placed.append(Placed(cell.panel, title, cell.x, y, cell.w, cell.h, chosen, repeat))
            cursor += height
    return Layout(tuple(placed), cursor)


@dataclass(frozen=True)
class _Cell:
    panel: Json
    x: int
    y: int
    w: int
    h: int
    repeat: tuple[tuple[str, str], ...] = ()


def _repeat_panels(members: list[Json], choices: Mapping[str, Choice]) -> list[_Cell]:
    """A section's panels, a repeated panel copied per value as Grafana lays the copies out.

    Side by side (``repeatDirection`` ``h``, the default): each copy
    ``max(24 / count, 24 / maxPerRow)`` columns wide (``maxPerRow`` 4 unless
    set), wrapping onto new lines; stacked (``v``): one under the other. What
    lies below moves down by the lines the copies add.
    """
    cells: list[_Cell] = []
    pushes: list[tuple[int, int]] = []  # (from original y, added height)
    for panel in members:
        x, y, w, h = _grid(panel)
        moved = y + sum(added for start, added in pushes if y >= start)
        name = str(panel.get("repeat") or "") if panel.get("type") != "row" else ""
        values = choices[name].values if name in choices else ()
        if not values:
            cells.append(_Cell(panel, x, moved, w, h))
            continue
        if panel.get("repeatDirection") == "v":
            spots = [(x, moved + i * h, w) for i in range(len(values))]
        else:
            width = max(
                GRID_COLUMNS // len(values), GRID_COLUMNS // int(panel.get("maxPerRow") or 4)
            )
            per_line = max(1, GRID_COLUMNS // width)
            spots = [
                ((i % per_line) * width, moved + (i // per_line) * h, width)
                for i in range(len(values))
            ]
        cells.extend(
            _Cell(panel, sx, sy, sw, h, ((name, v),))
            for (sx, sy, sw), v in zip(spots, values, strict=True)
        )
        pushes.append((y + h, max(sy for _, sy, _ in spots) - moved))
    return cells


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
    for panel, _ in walk_panels(dashboard):
        if panel.get("type") != "row":
            panels.append(panel)
            continue
        yield row, panels
        row, panels = panel, []
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
