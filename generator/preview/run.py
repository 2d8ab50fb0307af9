"""A preview of one dashboard from start to end, and the files that hold them.

The files of a run are written into a private folder inside the output folder and
moved into place only when every dashboard has been drawn: a run that fails on its
last dashboard (a bad `--var` value, Prometheus gone) leaves the folder as it was.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import Executor
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from generator.errors import OutputError
from generator.outputs.build import BuiltDashboard
from generator.outputs.files import prepare_output_dir, write_atomic
from generator.preview.choose import Choice, choose
from generator.preview.draw import NO_DATA, Drawn, draw_dashboard, image_size
from generator.preview.fetch import PanelData, QuerySettings, fetch_panels
from generator.preview.html import PageInfo, dashboard_page, index_page
from generator.preview.layout import Layout, Placed, layout
from generator.validate.client import PrometheusClient
from generator.validate.resolve import resolve

STAGING_NAME = ".meshdash-preview-staging"
INDEX_NAME = "index.html"


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


@contextmanager
def staged_folder(out_dir: Path) -> Iterator[Path]:
    """A private folder in `out_dir` whose files move into `out_dir` if the block succeeds.

    On an error nothing moves; `out_dir` is removed again if it was made for this run.
    """
    created = not out_dir.exists()
    prepare_output_dir(out_dir, setting="out_dir")
    staging = out_dir / STAGING_NAME
    # A run killed half-way leaves its staging folder behind; it only ever holds copies.
    shutil.rmtree(staging, ignore_errors=True)
    try:
        staging.mkdir()
    except OSError as exc:
        raise OutputError(f"cannot create {staging}: {exc.strerror}") from None
    done = False
    try:
        yield staging
        # The index last: it never links to a page that is not there yet.
        for path in sorted(staging.iterdir(), key=lambda p: (p.name == INDEX_NAME, p.name)):
            _move(path, out_dir / path.name)
        done = True
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        if created and not done:
            shutil.rmtree(out_dir, ignore_errors=True)


def _move(staged: Path, path: Path) -> None:
    try:
        os.replace(staged, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None


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
    index = out_dir / INDEX_NAME
    write_atomic(index, index_page(entries))
    return index


def _page(info: PageInfo, preview: DashboardPreview) -> str:
    panels = [(drawn, data) for _placed, data, drawn in preview.panels()]
    return dashboard_page(info, preview.png, panels)
