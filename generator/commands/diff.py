"""`meshdash diff`: what `meshdash push` would change, as a unified diff per dashboard.

It always reads every dashboard (there is no ``--no-refresh`` here): a diff is where
edits made in Grafana must show, including those ``push --no-refresh`` does not look for.
"""

from __future__ import annotations

import click

from generator.commands.definitions import definitions_options
from generator.commands.grafana_options import (
    FLAG_NAMES,
    GrafanaOptions,
    grafana_options,
    plan_from_options,
    verbose_logging,
)
from generator.commands.params import EXIT_OK, problems_found
from generator.grafana.client import GrafanaClient
from generator.grafana.push_report import change_diff


@click.command("diff")
@definitions_options
@grafana_options
@click.option("--exit-code", is_flag=True, help="Exit 1 when anything would change.")
def diff_command(grafana: GrafanaOptions, exit_code: bool) -> int:
    """Show how Grafana differs from the build (ignoring id, version and the hash tag)."""
    settings = grafana.settings()
    with verbose_logging(grafana.verbose), GrafanaClient(settings, grafana.parallel) as client:
        _backend, plan = plan_from_options(client, grafana)
    diffs = [text for text in (change_diff(change, FLAG_NAMES) for change in plan.changes) if text]
    for ref in plan.folders:
        click.echo(f"=== folder {ref.path!r} would be created (uid {ref.uid})")
    for text in diffs:
        click.echo(text, nl=False)
    if not diffs and not plan.folders:
        click.echo(f"no differences: {len(plan.changes)} dashboard(s) match Grafana")
    elif exit_code:
        return problems_found(f"{len(diffs)} dashboard(s) differ from Grafana")
    return EXIT_OK
