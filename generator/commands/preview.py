"""`meshdash preview`: draw every dashboard with real data into PNG and HTML files."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.commands.definitions import build_from_options, definitions_options
from generator.commands.params import EXIT_OK, flag_hints, parse_end
from generator.commands.prometheus_options import prometheus_options, window_options
from generator.commands.sandbox_options import incidents_option, sandbox_mesh
from generator.errors import ConfigError
from generator.promql.dashboard import variables as dashboard_variables
from generator.promql.durations import to_ms
from generator.promql.interpolate import TimeRange
from generator.validate import PrometheusClient, connection_from

if TYPE_CHECKING:
    from generator.outputs.build import BuiltDashboard
    from generator.preview.run import PreviewOptions
    from generator.sim import MeshConfig

#: The sandbox backfills samples this far apart: Grafana's step for ranges up to ~6h.
SANDBOX_STEP = "15s"


@click.command("preview")
@definitions_options
@prometheus_options
@click.option(
    "--sandbox", is_flag=True, help="Query a real Prometheus over the simulated mesh, then stop it."
)
@incidents_option
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=Path("build/preview"),
    show_default=True,
    help="Folder for <uid>.png, <uid>.html and index.html.",
)
@click.option(
    "--var",
    "variables",
    multiple=True,
    metavar="NAME=VALUE",
    help="Variable value to show (repeat for several values; All for all); else Grafana's default.",
)
@window_options(default_range="1h")
@click.option(
    "-v", "--verbose", is_flag=True, help="One line per dashboard even when not a terminal."
)
@flag_hints(out_dir="--out", variables="--var NAME=VALUE")
def preview_command(
    url: str | None,
    sandbox: bool,
    incidents: bool,
    out_dir: Path,
    variables: tuple[str, ...],
    range_text: str,
    end: str | None,
    scrape_interval: str,
    token_file: Path | None,
    headers: tuple[str, ...],
    verbose: bool,
    dashboards_dir: Path | None,
    queries_dirs: tuple[Path, ...],
) -> int:  # fmt: skip
    """Draw every dashboard as Grafana would show it: a PNG and an HTML page each, and an index."""
    if sandbox == bool(url):
        raise ConfigError("give either --prometheus URL or --sandbox")
    if sandbox and end:
        raise ConfigError("--end makes no sense with --sandbox, whose data ends now")
    mesh = sandbox_mesh(sandbox, incidents)
    chosen = parse_vars(variables)
    _require_matplotlib()
    from generator.preview.fetch import QuerySettings
    from generator.preview.run import PreviewOptions

    built = build_from_options(dashboards_dir, queries_dirs)
    _check_var_names(chosen, built)
    with _prometheus(url, mesh, range_text, token_file, headers) as (client, end_ms):
        if sandbox:
            scrape_interval = SANDBOX_STEP
        if end:
            end_ms = parse_end(end)
        time_range = TimeRange.last(range_text, now_ms=end_ms)
        options = PreviewOptions(QuerySettings(time_range, scrape_interval), range_text, chosen)
        _preview_all(built, client, options, out_dir, verbose or sys.stdout.isatty())
    return EXIT_OK


def _preview_all(
    built: list[BuiltDashboard],
    client: PrometheusClient,
    options: PreviewOptions,
    out_dir: Path,
    progress: bool,
) -> None:
    from generator.preview.run import (
        INDEX_NAME,
        preview_dashboard,
        staged_folder,
        write_index,
        write_preview,
    )

    client.check()
    entries = []  # staged as each dashboard is drawn: one image in memory at a time
    with staged_folder(out_dir) as staging, ThreadPoolExecutor(max_workers=8) as pool:
        for item in built:
            preview = preview_dashboard(item, client, options, pool)
            entries.append(write_preview(preview, staging, options))
            if progress:
                width, height = preview.size
                click.echo(
                    f"preview {item.uid}: {len(preview.data)} panel(s), "
                    f"{preview.empty_panels} without data, {width}x{height} px"
                )
        write_index(entries, staging)
    click.echo(f"preview: {len(entries)} dashboard(s) drawn; open {out_dir / INDEX_NAME}")


def parse_vars(items: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    """``--var name=value`` flags, several values of one name kept in order."""
    chosen: dict[str, tuple[str, ...]] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip().lstrip("$")
        if not sep or not name or not value:
            raise ConfigError(f"--var {item!r} is not NAME=VALUE, e.g. --var service=api")
        chosen[name] = (*chosen.get(name, ()), value)
    return chosen


def _check_var_names(chosen: dict[str, tuple[str, ...]], built: list[BuiltDashboard]) -> None:
    """A --var that no dashboard defines is a typo, not a choice to ignore."""
    known = sorted({str(v.get("name")) for item in built for v in dashboard_variables(item.data)})
    for name in chosen:
        if name not in known:
            raise ConfigError(
                f"--var {name}: no dashboard has a variable {name!r} "
                f"(their variables: {', '.join(known) or 'none'})"
            )


@contextmanager
def _prometheus(
    url: str | None,
    mesh: MeshConfig | None,
    range_text: str,
    token_file: Path | None,
    headers: tuple[str, ...],
) -> Iterator[tuple[PrometheusClient, int | None]]:
    """A client for ``--prometheus``, or for a backfilled sandbox of `mesh` over the range."""
    if mesh is None:
        assert url is not None
        connection = connection_from(url, token_file=token_file, headers=headers)
        with PrometheusClient(connection) as client:
            yield client, None
        return
    from generator.sim import backfilled_prometheus

    window = to_ms(range_text) // 1000
    step = to_ms(SANDBOX_STEP) // 1000
    # Samples from before the range too, so the first point's rate window is full.
    lead = 10 * step
    with backfilled_prometheus(mesh, window_seconds=window + lead, step_seconds=step) as box:
        client = PrometheusClient(connection_from(box.url))
        try:
            yield client, round(box.end * 1000)
        finally:
            client.close()


def _require_matplotlib() -> None:
    try:
        import matplotlib  # noqa: F401
    except ImportError:
        raise ConfigError(
            "meshdash preview needs matplotlib: pip install 'meshdash[preview]' (or make preview)"
        ) from None
