"""``meshdash sandbox``: the live mesh simulator scraped by a real Prometheus."""

from __future__ import annotations

import signal
import time
from types import FrameType

import click

from generator.errors import ConfigError
from generator.sim.sandbox import live_prometheus


def _parse_interval(text: str) -> float:
    """``5s``, ``500ms`` or a bare number of seconds."""
    value = text.strip().lower()
    scale = 1.0
    if value.endswith("ms"):
        value, scale = value[:-2], 0.001
    elif value.endswith("s"):
        value = value[:-1]
    try:
        seconds = float(value) * scale
    except ValueError:
        raise ConfigError(
            f"--scrape-interval {text!r} is not a duration like 5s or 500ms"
        ) from None
    if not 0.1 <= seconds <= 60:
        raise ConfigError(f"--scrape-interval {text!r} must be between 100ms and 60s")
    return seconds


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.command("sandbox")
@click.option(
    "--duration",
    type=click.FloatRange(min=0),
    default=None,
    help="Stop after this many seconds (default: run until Ctrl-C).",
)
@click.option(
    "--scrape-interval", default="5s", show_default=True, help="Prometheus scrape interval."
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0,
    help="Prometheus port on 127.0.0.1 (default: a free one).",
)  # fmt: skip
def sandbox_command(duration: float | None, scrape_interval: str, port: int) -> int:
    """Run the simulated mesh and a real Prometheus scraping it, on loopback."""
    interval = _parse_interval(scrape_interval)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with live_prometheus(scrape_interval=interval, min_scrapes=0, port=port or None) as box:
            click.echo(f"Prometheus: {box.url} (pid {box.prometheus.pid})")
            for name, url in box.sidecar_urls.items():
                click.echo(f"  sidecar {name}: {url}")
            click.echo("Press Ctrl-C to stop." if duration is None else f"Running {duration:g}s.")
            _wait(duration)
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    click.echo("Stopped: Prometheus and the sidecars are down.")
    return 0


def _wait(duration: float | None) -> None:
    deadline = None if duration is None else time.monotonic() + duration
    while deadline is None or time.monotonic() < deadline:
        time.sleep(0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic())))
