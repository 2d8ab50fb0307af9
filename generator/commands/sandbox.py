"""``meshdash sandbox``: the live mesh simulator scraped by a real Prometheus."""

from __future__ import annotations

import signal
import time
from types import FrameType

import click

from generator.commands.definitions import flavor_option
from generator.commands.params import EXIT_OK, Duration, flag_hints, seconds
from generator.commands.sandbox_options import incidents_option, sandbox_mesh
from generator.sim.prometheus_sandbox import live_prometheus


def _stop_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise KeyboardInterrupt


@click.command("sandbox")
@click.option(
    "--duration",
    type=Duration(),
    default=None,
    help="Stop after this long, e.g. 60, 90s or 10m (default: run until Ctrl-C).",
)
@click.option(
    "--scrape-interval",
    type=Duration(minimum="100ms", maximum="60s"),
    default="5s",
    show_default=True,
    help="Prometheus scrape interval.",
)
@click.option(
    "--port", type=click.IntRange(0, 65535), default=0,
    help="Prometheus port on 127.0.0.1 (default: a free one).",
)  # fmt: skip
@incidents_option
@flavor_option
@flag_hints(port="--port")
def sandbox_command(duration: str | None, scrape_interval: str, port: int, incidents: bool) -> int:
    """Run the simulated mesh and a real Prometheus scraping it, on loopback.

    The sidecars speak the chosen mesh's metric names (`--flavor`, else [tool.meshdash] flavor).
    """
    interval = seconds(scrape_interval)
    stop_after = None if duration is None else seconds(duration)
    config = sandbox_mesh(True, incidents)
    previous = signal.signal(signal.SIGTERM, _stop_on_sigterm)
    previous_int = signal.signal(signal.SIGINT, signal.default_int_handler)
    try:
        with live_prometheus(
            config, scrape_interval=interval, min_scrapes=0, port=port or None
        ) as box:
            click.echo(f"Prometheus: {box.url} (pid {box.prometheus.pid})")
            for name, url in box.sidecar_urls.items():
                click.echo(f"  sidecar {name}: {url}")
            click.echo(
                "Press Ctrl-C to stop." if stop_after is None else f"Running {stop_after:g}s."
            )
            _wait(stop_after)
    except KeyboardInterrupt:
        click.echo("Stopping.")
    finally:
        signal.signal(signal.SIGTERM, previous)
        signal.signal(signal.SIGINT, previous_int)
    click.echo("Stopped: Prometheus and the sidecars are down.")
    return EXIT_OK


def _wait(duration: float | None) -> None:
    deadline = None if duration is None else time.monotonic() + duration
    while deadline is None or time.monotonic() < deadline:
        time.sleep(0.2 if deadline is None else max(0.0, min(0.2, deadline - time.monotonic())))
