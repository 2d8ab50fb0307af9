"""A backfilled real Prometheus for the preview tests, and the shipped dashboards drawn from it."""

from __future__ import annotations

from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import pytest

from generator.outputs.build import BuiltDashboard
from generator.preview.fetch import QuerySettings
from generator.promql.interpolate import TimeRange
from generator.sim import MeshConfig, Sandbox, backfilled_prometheus
from generator.validate import Connection, PrometheusClient

if TYPE_CHECKING:  # drawing needs matplotlib; modules that draw skip without it
    from generator.preview.run import DashboardPreview, PreviewOptions

NEEDS_MATPLOTLIB = "the preview extra is not installed (pip install 'meshdash[preview]')"

#: Ten minutes shown, every 15 s; two more minutes before them fill the first rate window.
RANGE = "10m"
RANGE_SECONDS = 600
LEAD_SECONDS = 120
STEP_SECONDS = 15
SCRAPE = f"{STEP_SECONDS}s"
#: The service the tests pick with --var; the truth says what it calls.
SERVICE = "api"


@dataclass
class PreviewBox:
    """A backfilled Prometheus, a client to it and preview options over its window."""

    sandbox: Sandbox
    client: PrometheusClient

    def options(self, **chosen: tuple[str, ...]) -> PreviewOptions:
        from generator.preview.run import PreviewOptions

        end_ms = round(self.sandbox.end * 1000)
        time_range = TimeRange(end_ms - RANGE_SECONDS * 1000, end_ms)
        return PreviewOptions(QuerySettings(time_range, SCRAPE), RANGE, chosen)

    def preview(self, item: BuiltDashboard, **chosen: tuple[str, ...]) -> DashboardPreview:
        from generator.preview.run import preview_dashboard

        with ThreadPoolExecutor(max_workers=4) as pool:
            return preview_dashboard(item, self.client, self.options(**chosen), pool)

    def cli_args(self) -> list[str]:
        return ["--prometheus", self.sandbox.url, "--end", str(self.sandbox.end),
                "--range", RANGE, "--scrape-interval", SCRAPE]  # fmt: skip


def open_box(config: MeshConfig | None = None) -> Iterator[PreviewBox]:
    with (
        backfilled_prometheus(
            config, window_seconds=RANGE_SECONDS + LEAD_SECONDS, step_seconds=STEP_SECONDS
        ) as box,
        PrometheusClient(Connection(box.url)) as client,
    ):
        yield PreviewBox(box, client)


@pytest.fixture(scope="module")
def preview_box() -> Iterator[PreviewBox]:
    yield from open_box()


@pytest.fixture(scope="module")
def service_previews(
    preview_box: PreviewBox, shipped: list[BuiltDashboard]
) -> dict[str, DashboardPreview]:
    """Every shipped dashboard drawn with ``$service`` = SERVICE, by uid."""
    return {item.uid: preview_box.preview(item, service=(SERVICE,)) for item in shipped}
