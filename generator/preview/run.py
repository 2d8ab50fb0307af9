"""A preview of one dashboard from start to end, and the files that hold them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Executor
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.build import BuiltDashboard
from generator.files import prepare_output_dir, write_atomic
from generator.preview.choose import Choice, choose
from generator.preview.draw import NO_DATA, Drawn, draw_dashboard, image_size
from generator.preview.fetch import PanelData, QuerySettings, fetch_panels
from generator.preview.html import PageInfo, dashboard_page, index_page
from generator.preview.layout import Layout, Placed, layout
from generator.validate.client import PrometheusClient
from generator.validate.resolve import resolve


@dataclass(frozen=True)
class PreviewOptions:
    """The range, scrape interval and variable choices every dashboard is previewed with."""

    settings: QuerySettings
    range_text: str
    chosen: Mapping[str, tuple[str, ...]]


@dataclass
class DashboardPreview:
    """One dashboard drawn: its image, layout, the data fetched and what each panel shows."""

    uid: str
    title: str
    png: bytes
    size: tuple[int, int]
    layout: Layout
    choices: dict[str, Choice]
    data: list[PanelData]
    drawn: list[Drawn]

    def panels(self) -> list[tuple[Placed, PanelData | None, Drawn]]:
        """Each placed panel (rows too) with its data (None for a row) and what it shows."""
        by_placed = {id(d.placed): d for d in self.data}
        return [
            (placed, by_placed.get(id(placed)), drawn)
            for placed, drawn in zip(self.layout.panels, self.drawn, strict=True)
        ]

    @property
    def empty_panels(self) -> int:
        return sum(1 for d in self.drawn if d.message == NO_DATA)


def preview_dashboard(
    item: BuiltDashboard, client: PrometheusClient, options: PreviewOptions, pool: Executor
) -> DashboardPreview:
    """Resolve the variables, lay out, fetch every panel's data and draw the dashboard."""
    settings = options.settings
    resolution = resolve(
        item.data, client, settings.time_range, scrape_interval=settings.scrape_interval, pool=pool
    )
    choices = choose(item.data, resolution, options.chosen)
    grid = layout(item.data, choices)
    data = fetch_panels(client, grid.panels, settings, pool)
    png, drawn = draw_dashboard(grid, data)
    title = str(item.data.get("title", item.uid))
    return DashboardPreview(
        item.uid, title, png, image_size(grid.height), grid, choices, data, drawn
    )


def write_previews(
    previews: Sequence[DashboardPreview], out_dir: Path, options: PreviewOptions
) -> Path:
    """``<uid>.png`` and ``<uid>.html`` per dashboard and ``index.html``; returns the index."""
    prepare_output_dir(out_dir)
    return write_index([write_preview(p, out_dir, options) for p in previews], out_dir)


def write_preview(
    preview: DashboardPreview, out_dir: Path, options: PreviewOptions
) -> tuple[PageInfo, int]:
    """One dashboard's ``<uid>.png`` and ``<uid>.html``; returns its index entry."""
    end = datetime.fromtimestamp(options.settings.time_range.end_ms / 1000, tz=UTC)
    info = PageInfo(
        uid=preview.uid,
        title=preview.title,
        variables={n: c.text() for n, c in preview.choices.items()},
        range_text=options.range_text,
        end_text=end.strftime("%Y-%m-%d %H:%M:%S UTC"),
        png_name=f"{preview.uid}.png",
    )
    write_atomic(out_dir / info.png_name, preview.png)
    write_atomic(out_dir / f"{preview.uid}.html", _page(info, preview))
    return info, preview.empty_panels


def write_index(entries: Sequence[tuple[PageInfo, int]], out_dir: Path) -> Path:
    """``index.html`` linking every page written; returns its path."""
    index = out_dir / "index.html"
    write_atomic(index, index_page(entries))
    return index


def _page(info: PageInfo, preview: DashboardPreview) -> str:
    panels = [(drawn, data) for _placed, data, drawn in preview.panels()]
    return dashboard_page(info, preview.png, panels)
