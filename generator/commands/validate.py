"""`meshdash validate`: run every panel's queries against a live Prometheus."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import click

from generator.commands.definitions import build_from_options, definitions_options
from generator.commands.from_files import from_options, read_from, report_unreadable
from generator.commands.params import (
    EXIT_OK,
    fail_on_option,
    flag_hints,
    parse_end,
    problems_found,
)
from generator.commands.prometheus_options import prometheus_options, window_options
from generator.commands.sandbox_options import incidents_option, sandbox_mesh
from generator.errors import ConfigError
from generator.flavors import current_flavor
from generator.outputs.build import BuiltDashboard
from generator.promql.foreign import ForeignSet
from generator.promql.interpolate import TimeRange
from generator.promql.lint.problems import Severity, at_or_above
from generator.validate import (
    Connection,
    PrometheusClient,
    ValidateOptions,
    connection_from,
    live_sandbox,
    validate,
)
from generator.validate.diagnose import SettingNames
from generator.validate.live_sandbox import SANDBOX_SCRAPE_INTERVAL

#: What the findings call the run's settings: this command's flags.
FLAG_NAMES = SettingNames(
    range="--range",
    scrape_interval="--scrape-interval",
    max_combinations="--max-combinations",
    flavor="--flavor",
)


@click.command("validate")
@definitions_options
@from_options
@prometheus_options
@click.option(
    "--sandbox",
    is_flag=True,
    help="Start the live simulator and a real Prometheus, validate against it, stop them.",
)
@incidents_option
@window_options(default_range="30m")
@click.option(
    "--max-combinations",
    type=click.IntRange(min=1),
    default=50,
    show_default=True,
    help="Variable value combinations tried per panel at most, where a target "
    "needs one query per combination (batched targets check every one).",
)
@click.option(
    "--parallel",
    type=click.IntRange(1, 64),
    default=8,
    show_default=True,
    help="Queries in flight at once.",
)
@click.option(
    "--timeout",
    type=click.FloatRange(min=0.1),
    default=30.0,
    show_default=True,
    help="Seconds per request.",
)
@click.option(
    "--no-batch",
    is_flag=True,
    help="One query per target and combination, even where one query could check them all.",
)
@click.option(
    "--verbose", is_flag=True, help="Also say which targets ran one query per combination, and why."
)
@fail_on_option(default="bug")
@click.option(
    "--strict",
    is_flag=True,
    help="Fail on warnings too (panels empty for some variable values): --fail-on warning.",
)
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
)
@flag_hints(timeout="--timeout")
def validate_command(
    url: str | None,
    sandbox: bool,
    incidents: bool,
    range_text: str,
    end: str | None,
    scrape_interval: str,
    max_combinations: int,
    parallel: int,
    timeout: float,
    token_file: Path | None,
    headers: tuple[str, ...],
    no_batch: bool,
    verbose: bool,
    fail_on: str,
    strict: bool,
    output_format: str,
    dashboards_dir: Path | None,
    queries_dirs: tuple[Path, ...],
    from_paths: tuple[Path, ...],
    more_paths: tuple[Path, ...],
) -> int:  # fmt: skip
    """Prove every panel's queries return data from a Prometheus; exit 1 naming each failure.

    With --from, validate Grafana dashboard JSON files instead of the definitions.
    """
    threshold = Severity.parse(fail_on)
    if strict:  # an alias of --fail-on warning; with both, the stricter wins
        threshold = min(threshold, Severity.WARNING)
    if sandbox == bool(url):
        raise ConfigError("give either --prometheus URL or --sandbox")
    mesh = sandbox_mesh(sandbox, incidents)
    foreign = read_from(from_paths, more_paths)
    if foreign is not None and not foreign.dashboards:
        report_unreadable(foreign)  # nothing to validate: no need for Prometheus
    built = (
        build_from_options(dashboards_dir, queries_dirs)
        if foreign is None
        else foreign_built(foreign)
    )
    settings = {
        "range_text": range_text,
        "max_combinations": max_combinations,
        "parallel": parallel,
        "batch": not no_batch,
    }
    if mesh is not None:
        if end:
            raise ConfigError("--end makes no sense with --sandbox, whose data is live")
        with live_sandbox(range_text, config=mesh) as box:
            connection = connection_from(box.url, timeout=timeout, parallel=parallel)
            options = replace(
                _options(None, scrape_interval=SANDBOX_SCRAPE_INTERVAL, **settings),
                sandbox_flavor=current_flavor().name,
            )
            return _run(built, connection, options, threshold, output_format, verbose, foreign)
    assert url is not None
    connection = connection_from(
        url, token_file=token_file, headers=headers, timeout=timeout, parallel=parallel
    )
    options = _options(end, scrape_interval=scrape_interval, **settings)
    return _run(built, connection, options, threshold, output_format, verbose, foreign)


def _run(
    built: list[BuiltDashboard],
    connection: Connection,
    options: ValidateOptions,
    threshold: Severity,
    fmt: str,
    verbose: bool = False,
    foreign: ForeignSet | None = None,
) -> int:
    with PrometheusClient(connection) as client:
        report = validate(built, client, options)
    if foreign is not None:
        report.notes.extend(foreign.notes)
    root = None if foreign is not None else Path.cwd()
    click.echo(report.to_json() if fmt == "json" else report.text(verbose=verbose, root=root))
    if foreign is not None:
        report_unreadable(foreign)
    failing = at_or_above(report.problems, threshold)
    if failing:
        level = threshold.name.lower()
        return problems_found(
            f"validation found {len(failing)} problem(s) at or above {level} "
            f"against {report.prometheus}"
        )
    return EXIT_OK


def foreign_built(foreign: ForeignSet) -> list[BuiltDashboard]:
    """Dashboard files as validation reads built dashboards (uid, title, file, JSON)."""
    return [BuiltDashboard(d.uid, d.title, None, d.path, d.data) for d in foreign.dashboards]


def _options(
    end: str | None,
    *,
    range_text: str,
    scrape_interval: str,
    max_combinations: int,
    parallel: int,
    batch: bool,
) -> ValidateOptions:
    end_ms = parse_end(end) if end else None
    return ValidateOptions(
        time_range=TimeRange.last(range_text, now_ms=end_ms),
        range_text=range_text,
        scrape_interval=scrape_interval,
        max_combinations=max_combinations,
        parallel=parallel,
        batch=batch,
        names=FLAG_NAMES,
    )
