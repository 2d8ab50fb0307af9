"""The shipped dashboards previewed from a real Prometheus over the simulated mesh.

Built from the definitions at test time: the expectations come from the
dashboard JSON (grid, titles) and the simulator's truth (values, which
services call which), never from golden files.
"""

from __future__ import annotations

import json
import re
import struct
from collections.abc import Iterator
from html import escape
from pathlib import Path

import pytest

from generator.outputs.build import BuiltDashboard
from generator.sim import MeshConfig, Truth
from generator.sim.truth import is_close
from tests.conftest import ROOT
from tests.preview.conftest import NEEDS_MATPLOTLIB, SERVICE, PreviewBox, open_box

pytest.importorskip("matplotlib", reason=NEEDS_MATPLOTLIB)

from generator.preview.draw import COLUMN_PX, NO_DATA, ROW_PX
from generator.preview.run import (
    DashboardPreview,
    PreviewOptions,
    staged_folder,
    write_index,
    write_preview,
)

DROPPED = "envoy_cluster_upstream_rq"


def png_size(png: bytes) -> tuple[int, int]:
    """Width and height from the PNG's IHDR chunk."""
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    width, height = struct.unpack(">II", png[16:24])
    return width, height


def destinations(truth: Truth, sources: list[str] | None = None) -> list[str]:
    """Services that ``sources`` (all when None) send requests to: $upstream's / $service's values."""
    found = {
        s.label("consul_destination_service")
        for s in truth.select("envoy_cluster_upstream_rq_time")
        if sources is None or s.label("consul_source_service") in sources
    }
    return sorted(f for f in found if f)


def expected_values(truth: Truth, service: str | None) -> dict[str, list[str]]:
    services = destinations(truth) if service is None else [service]
    return {"service": services, "upstream": destinations(truth, services)}


def expected_grid_rows(dashboard: dict, values: dict[str, list[str]]) -> int:
    """The saved grid's height, plus one more copy of each repeated row's band per extra value."""
    panels = dashboard["panels"]
    bottom = max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in panels)
    rows = [i for i, p in enumerate(panels) if p["type"] == "row"]
    for start, end in zip(rows, [*rows[1:], len(panels)], strict=True):
        repeat = panels[start].get("repeat")
        if repeat:
            band = panels[start:end]
            span = (
                max(p["gridPos"]["y"] + p["gridPos"]["h"] for p in band)
                - panels[start]["gridPos"]["y"]
            )
            bottom += span * (len(values[repeat]) - 1)
    return bottom


def _write_pages(previews: list[DashboardPreview], out_dir: Path, options: PreviewOptions) -> None:
    """The pages as `meshdash preview` writes them: staged, each dashboard, then the index."""
    with staged_folder(out_dir) as staging:
        write_index([write_preview(p, staging, options) for p in previews], staging)


def shipped_by_uid(shipped: list[BuiltDashboard]) -> dict[str, BuiltDashboard]:
    return {item.uid: item for item in shipped}


@pytest.mark.parametrize("service", [SERVICE, None], ids=["service=api", "defaults"])
def test_the_image_follows_the_grid(
    preview_box: PreviewBox, shipped: list[BuiltDashboard], service: str | None
) -> None:
    chosen = {"service": (service,)} if service else {}
    values = expected_values(preview_box.sandbox.truth, service)
    for item in shipped:
        preview = preview_box.preview(item, **chosen)
        rows = expected_grid_rows(item.data, values)
        assert png_size(preview.png) == (24 * COLUMN_PX, rows * ROW_PX), item.uid
        assert png_size(preview.png) == preview.size


def test_every_panel_title_appears_in_the_html(
    preview_box: PreviewBox,
    shipped: list[BuiltDashboard],
    service_previews: dict[str, DashboardPreview],
    tmp_path: Path,
) -> None:
    options = preview_box.options(service=(SERVICE,))
    _write_pages(list(service_previews.values()), tmp_path, options)
    values = expected_values(preview_box.sandbox.truth, SERVICE)
    for item in shipped:
        page = (tmp_path / f"{item.uid}.html").read_text()
        titles = list(_titles(item.data, values))
        assert titles, item.uid
        for title in titles:
            assert escape(title) in page, f"{item.uid}: {title!r} missing"


def _titles(dashboard: dict, values: dict[str, list[str]]) -> Iterator[str]:
    """Every panel title as shown: $service as chosen, one per $upstream value."""
    for panel in dashboard["panels"]:
        for inner in [panel, *panel.get("panels", [])]:
            title = inner["title"].replace("$service", values["service"][0])
            if "$upstream" in title:
                yield from (title.replace("$upstream", u) for u in values["upstream"])
            else:
                yield title


def test_plotted_rates_equal_the_simulators_truth(
    preview_box: PreviewBox, service_previews: dict[str, DashboardPreview]
) -> None:
    """Upstream requests by response code: every plotted point is the configured rate."""
    truth = preview_box.sandbox.truth
    checked = 0
    for preview in service_previews.values():
        for placed, data, drawn in preview.panels():
            exprs = " ".join(t.get("expr", "") for t in placed.panel.get("targets", []))
            if data is None or f"{DROPPED}{{" not in exprs or "external" in exprs:
                continue
            if "# meshdash: may be empty" in exprs:  # denials: none in the quiet sandbox
                continue
            assert data.series, placed.title
            for series in data.series:
                want = truth.upstream_rate(
                    SERVICE,
                    series.labels["consul_destination_service"],
                    code=series.labels["envoy_response_code"],
                )
                plotted = drawn.series[series.name]
                assert len(plotted) == len(series.times) > 30
                assert all(is_close(got, want) for got in plotted), (series.name, want, plotted[:3])
                checked += 1
    assert checked >= 2  # 200 and 503 from payments at least


def test_stat_shows_the_simulators_request_rate(
    preview_box: PreviewBox, service_previews: dict[str, DashboardPreview]
) -> None:
    truth = preview_box.sandbox.truth
    stats = [
        (data, drawn)
        for preview in service_previews.values()
        for placed, data, drawn in preview.panels()
        if data
        and drawn.kind == "stat"
        and placed.panel["fieldConfig"]["defaults"]["unit"] == "reqps"
    ]
    assert stats
    for data, drawn in stats:
        for series in data.series:
            # A per-service stat names its service; the overview's mesh total, over the
            # selected services (SERVICE alone here), has no label.
            service = series.labels.get("local_cluster", SERVICE)
            assert is_close(drawn.series[series.name][0], truth.downstream_rate(service))


@pytest.fixture(scope="module")
def damaged_box() -> Iterator[PreviewBox]:
    yield from open_box(MeshConfig(drop_families=frozenset({DROPPED})))


def test_an_empty_query_is_drawn_as_no_data(
    damaged_box: PreviewBox, shipped: list[BuiltDashboard], tmp_path: Path
) -> None:
    item = shipped_by_uid(shipped)["meshdash-service"]
    preview = damaged_box.preview(item, service=(SERVICE,))
    empty, full = [], []
    for placed, data, drawn in preview.panels():
        if data is None:
            continue
        exprs = " ".join(t.get("expr", "") for t in placed.panel.get("targets", []))
        (empty if f"{DROPPED}{{" in exprs else full).append(drawn)
    assert empty and full
    assert all(d.message == NO_DATA and not d.series for d in empty)
    assert all(d.message != NO_DATA and d.series for d in full)
    _write_pages([preview], tmp_path, damaged_box.options(service=(SERVICE,)))
    page = (tmp_path / "meshdash-service.html").read_text()
    for drawn in empty:
        assert f'<h4>{escape(drawn.title)}</h4><p class="muted">{NO_DATA}</p>' in page


def test_the_readme_image_has_the_service_dashboards_current_layout(
    preview_box: PreviewBox, shipped: list[BuiltDashboard]
) -> None:
    """docs/preview-service.png (shown in the README) is redrawn when the dashboard's grid changes."""
    committed = png_size((ROOT / "docs" / "preview-service.png").read_bytes())
    current = preview_box.preview(shipped_by_uid(shipped)["meshdash-service"]).size
    assert committed == current, (
        "docs/preview-service.png is stale: run `make preview` and copy "
        "build/preview/meshdash-service.png to docs/preview-service.png"
    )


def test_each_panels_data_is_inline_in_its_page(
    preview_box: PreviewBox, service_previews: dict[str, DashboardPreview], tmp_path: Path
) -> None:
    """The JSON block of every panel holds the series fetched and the values shown."""
    _write_pages(list(service_previews.values()), tmp_path, preview_box.options(service=(SERVICE,)))
    for uid, preview in service_previews.items():
        page = (tmp_path / f"{uid}.html").read_text()
        blocks = re.findall(
            r'<script type="application/json" id="panel-(\d+)">(.*?)</script>', page
        )
        inline = {int(i): json.loads(text) for i, text in blocks}
        for index, (_placed, data, drawn) in enumerate(preview.panels()):
            if data is None:
                assert index not in inline
                continue
            block = inline[index]
            assert block["title"] == drawn.title
            assert [s["values"] for s in block["series"]] == [list(s.values) for s in data.series]
            assert block["shown"] == drawn.series
