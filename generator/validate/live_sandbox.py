"""``meshdash validate --sandbox``: the live simulator and a real Prometheus, just long enough."""

from __future__ import annotations

import math
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType

from generator.promql.durations import to_ms
from generator.promql.interpolate import TimeRange, builtin_values
from generator.sim.config import MeshConfig
from generator.sim.prometheus_sandbox import Sandbox, live_prometheus

#: The sandbox scrapes often, so a validation needs only seconds of data.
SANDBOX_SCRAPE_INTERVAL = "1s"


def scrapes_needed(range_text: str, scrape_interval: str) -> int:
    """Scrapes that put two samples in every ``$__rate_interval`` window (plus one spare)."""
    time_range = TimeRange(0, to_ms(range_text))
    rate_ms = int(builtin_values(time_range, scrape_interval=scrape_interval)["__rate_interval_ms"])
    return math.ceil(rate_ms / to_ms(scrape_interval)) + 1


@contextmanager
def live_sandbox(
    range_text: str, *, config: MeshConfig | None = None, timeout: float = 90.0
) -> Iterator[Sandbox]:
    """The simulator served live and scraped until ``$__rate_interval`` windows hold data.

    `config` chooses the simulated mesh (e.g. with the story's incidents); default: the demo's.

    Everything stops when the block ends: normally, on an error, on Ctrl-C or SIGTERM.
    """
    interval = to_ms(SANDBOX_SCRAPE_INTERVAL) / 1000
    scrapes = scrapes_needed(range_text, SANDBOX_SCRAPE_INTERVAL)
    previous = signal.getsignal(signal.SIGTERM)
    replaced = _on_sigterm_interrupt()
    try:
        with live_prometheus(
            config, scrape_interval=interval, min_scrapes=scrapes, timeout=timeout
        ) as sandbox:
            yield sandbox
    finally:
        if replaced:
            signal.signal(signal.SIGTERM, previous)


def _on_sigterm_interrupt() -> bool:
    """Make SIGTERM stop like Ctrl-C (only possible from the main thread)."""
    try:
        signal.signal(signal.SIGTERM, _interrupt)
    except ValueError:
        return False
    return True


def _interrupt(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt
