"""``meshdash lint``: check every dashboard offline (PromQL, variables, panels)."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.definitions import build_from_options, definitions_options
from generator.commands.from_files import from_options, read_from, report_unreadable
from generator.commands.params import EXIT_OK, Duration, fail_on_option, problems_found
from generator.config import load_config
from generator.errors import ConfigError
from generator.promql.dashboard import iter_panels
from generator.promql.lint.context import LintOptions
from generator.promql.lint.engine import lint_dashboard, select_rules
from generator.promql.lint.findings_report import format_json, format_text, lint_summary
from generator.promql.lint.problems import Severity, at_or_above


@click.command("lint")
@definitions_options
@from_options
@click.option("--format", "output_format", type=click.Choice(["text", "json"]), default="text")
@fail_on_option(default="warning")
@click.option(
    "--scrape-interval",
    type=Duration(),
    default="15s",
    show_default=True,
    help="Prometheus scrape interval, for $__rate_interval.",
)
def lint_command(
    dashboards_dir: Path | None,
    queries_dirs: tuple[Path, ...],
    output_format: str,
    fail_on: str,
    scrape_interval: str,
    from_paths: tuple[Path, ...],
    more_paths: tuple[Path, ...],
) -> int:
    """Lint every dashboard without a Prometheus; exit 1 if problems reach --fail-on.

    With --from, lint Grafana dashboard JSON files instead; a file that is no
    dashboard is reported (exit 2) after the others are linted.
    """
    config = load_config(Path.cwd())
    try:
        rules = select_rules(config.lint_disable)
    except ConfigError as exc:
        raise ConfigError(f"{config.source}: [tool.meshdash.lint] disable: {exc}") from None
    foreign = read_from(from_paths, more_paths)
    options = LintOptions(scrape_interval=scrape_interval, foreign=foreign is not None)
    if foreign is None:
        sources = [(b.data, b.source) for b in build_from_options(dashboards_dir, queries_dirs)]
    else:
        sources = [(item.data, item.path) for item in foreign.dashboards]
    problems = []
    for data, source in sources:
        problems += lint_dashboard(data, source=source, rules=rules, options=options)
    if output_format == "json":
        click.echo(format_json(problems), nl=False)
    else:
        click.echo(format_text(problems, root=config.root), nl=False)
        for note in foreign.notes if foreign else ():
            click.echo(f"note: {note}")
        panels = sum(1 for data, _ in sources for _ in iter_panels(data))
        click.echo(lint_summary(len(sources), panels, problems))
    if foreign is not None:
        report_unreadable(foreign)
    failing = at_or_above(problems, Severity.parse(fail_on))
    if failing:
        return problems_found(f"lint found {len(failing)} problem(s) at or above {fail_on}")
    return EXIT_OK
