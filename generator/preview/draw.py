"""One PNG per dashboard: every placed panel drawn in its grid cell with matplotlib (Agg).

The image follows Grafana's grid: 24 columns of ``COLUMN_PX`` and grid rows of
``ROW_PX`` (Grafana's 30 px cell plus its 8 px gap), so a dashboard ``H`` grid
rows tall is ``24 * COLUMN_PX`` by ``H * ROW_PX`` pixels. Each panel is a
framed box with its title; what is inside depends on its type
(:mod:`.draw_kinds`). Every drawing returns a :class:`Drawn`: the values it
actually plotted (read back from the matplotlib artists), which the HTML page
embeds and the tests compare with the simulator's truth.
"""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import matplotlib

matplotlib.use("Agg")

from matplotlib.axes import Axes
from matplotlib.figure import Figure

from generator.preview.fetch import PanelData
from generator.preview.layout import GRID_COLUMNS, Layout, Placed

COLUMN_PX = 60
ROW_PX = 38
DPI = 100
GAP_PX = 4
TITLE_PX = 22
BACKGROUND = "#f4f5f5"
PANEL_FACE = "#ffffff"
BORDER = "#d8d9da"
TEXT = "#24292e"
MUTED = "#6e7079"
NO_DATA = "No data"


@dataclass
class Drawn:
    """What one panel shows: its kind, the values plotted per series, any message.

    ``series`` holds, per display name, the y values of the plotted line (time
    series) or the one number shown (stat, bar gauge, table); ``colors`` the
    colour each series was drawn in; ``texts`` a stat's text as shown.
    """

    title: str
    kind: str
    series: dict[str, list[float]] = field(default_factory=dict)
    times: list[float] = field(default_factory=list)
    message: str = ""
    colors: dict[str, str] = field(default_factory=dict)
    texts: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Box:
    """A panel's content area, in figure fractions, and its size in pixels."""

    left: float
    bottom: float
    width: float
    height: float
    width_px: int
    height_px: int

    def inset(self, fig: Figure, left: int, right: int, top: int, bottom: int) -> Axes:
        """Axes inside the box, leaving margins (pixels) for tick labels and legends."""
        fig_w, fig_h = fig.get_size_inches() * DPI
        rect = (
            self.left + left / fig_w,
            self.bottom + bottom / fig_h,
            max(self.width - (left + right) / fig_w, 1 / fig_w),
            max(self.height - (top + bottom) / fig_h, 1 / fig_h),
        )
        return fig.add_axes(rect)


def image_size(grid_height: int) -> tuple[int, int]:
    """Pixels of a dashboard ``grid_height`` grid rows tall."""
    return GRID_COLUMNS * COLUMN_PX, max(1, grid_height) * ROW_PX


def draw_dashboard(grid: Layout, data: Sequence[PanelData]) -> tuple[bytes, list[Drawn]]:
    """The dashboard's PNG and what each panel (rows included) shows, in layout order."""
    from generator.preview.draw_kinds import draw_panel

    width, height = image_size(grid.height)
    fig = Figure(figsize=(width / DPI, height / DPI), dpi=DPI, facecolor=BACKGROUND)
    by_placed = {id(d.placed): d for d in data}
    drawn: list[Drawn] = []
    for placed in grid.panels:
        if placed.is_row:
            drawn.append(_draw_row(fig, placed, height))
            continue
        box = _frame(fig, placed, height)
        drawn.append(draw_panel(fig, box, by_placed[id(placed)]))
    out = io.BytesIO()
    fig.savefig(out, format="png", dpi=DPI, facecolor=BACKGROUND)
    return out.getvalue(), drawn


def message(fig: Figure, box: Box, text: str, color: str = MUTED) -> None:
    """A centred message in the panel's content area ("No data", a query error)."""
    ax = box.inset(fig, 0, 0, 0, 0)
    ax.set_axis_off()
    ax.text(0.5, 0.5, text, ha="center", va="center", color=color, fontsize=11, wrap=True)


def _frame(fig: Figure, placed: Placed, fig_h: int) -> Box:
    """The panel's framed background and title; returns the area below the title."""
    left_px = placed.x * COLUMN_PX + GAP_PX
    top_px = placed.y * ROW_PX + GAP_PX
    width_px = placed.w * COLUMN_PX - 2 * GAP_PX
    height_px = placed.h * ROW_PX - 2 * GAP_PX
    fig_w = GRID_COLUMNS * COLUMN_PX
    frame = fig.add_axes(
        (left_px / fig_w, 1 - (top_px + height_px) / fig_h, width_px / fig_w, height_px / fig_h)
    )
    frame.set_xticks([])
    frame.set_yticks([])
    frame.set_facecolor(PANEL_FACE)
    for spine in frame.spines.values():
        spine.set_color(BORDER)
    frame.text(
        8 / width_px, 1 - 6 / height_px, _clip(placed.title, width_px), transform=frame.transAxes,
        ha="left", va="top", fontsize=9, fontweight="bold", color=TEXT,
    )  # fmt: skip
    inner_h = height_px - TITLE_PX
    return Box(
        left_px / fig_w,
        1 - (top_px + height_px) / fig_h,
        width_px / fig_w,
        inner_h / fig_h,
        width_px,
        inner_h,
    )


def _draw_row(fig: Figure, placed: Placed, fig_h: int) -> Drawn:
    top_px = placed.y * ROW_PX
    fig_w = GRID_COLUMNS * COLUMN_PX
    fig.text(
        GAP_PX / fig_w, 1 - (top_px + ROW_PX / 2) / fig_h, placed.title,
        ha="left", va="center", fontsize=11, fontweight="bold", color=TEXT,
    )  # fmt: skip
    return Drawn(placed.title, "row")


def _clip(text: str, width_px: int) -> str:
    """A title cut to what fits (about 7 px per character at 9 pt bold)."""
    room = max(4, (width_px - 16) // 7)
    return text if len(text) <= room else text[: room - 1] + "…"


def field_defaults(panel: Mapping[str, Any]) -> dict[str, Any]:
    return dict((panel.get("fieldConfig") or {}).get("defaults") or {})
