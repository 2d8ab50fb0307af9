"""`meshdash push`: publish the dashboards to Grafana through its HTTP API.

``--api auto`` (the default) publishes through the resource API ``/apis`` where Grafana
serves it (12+), else the legacy ``/api``. By default every dashboard of the build is
read before planning, so every edit made in Grafana is reported: on ``/apis`` from one
paged LIST, on ``/api`` one GET each. ``--no-refresh`` (legacy API, like ``terraform
plan -refresh=false``) skips reading dashboards whose recorded hash tag in the search
equals the build's: a UI edit to a dashboard whose definition did not change is then
not reported (it is never overwritten either). See generator.grafana.plan.
"""

from __future__ import annotations

from collections.abc import Sequence

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
from generator.errors import ConfigError
from generator.grafana.client import GrafanaClient
from generator.grafana.plan import Action, Plan
from generator.grafana.provenance import version_message
from generator.grafana.publish import BAD_RESULTS, PushOutcome, Result, publish
from generator.grafana.push_report import format_plan, format_summary, plan_json, summary_json

MAX_MESSAGE = 500  # Grafana refuses longer version messages
NO_REFRESH_CONFLICT = (
    "--no-refresh cannot be combined with --force or --adopt: they need every dashboard "
    "read from Grafana; drop --no-refresh"
)


@click.command("push")
@definitions_options
@grafana_options
@click.option("--dry-run", is_flag=True, help="Print the plan and write nothing.")
@click.option("--message", help="Version message (default: 'meshdash <sha> (<branch>)').")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(["text", "json"]),
    default="text",
    show_default=True,
    help="json prints one JSON document for CI.",
)
@click.option(
    "--no-refresh",
    is_flag=True,
    help="Legacy API: do not read dashboards whose hash tag in Grafana's search matches "
    "the build: faster, but a UI edit to a dashboard whose definition did not change is not "
    "reported (nor overwritten). Not with --force or --adopt. Unneeded on /apis, whose one "
    "LIST already holds every dashboard.",
)
def push_command(
    grafana: GrafanaOptions,
    dry_run: bool,
    message: str | None,
    output_format: str,
    no_refresh: bool,
) -> int:
    """Create or update the dashboards in Grafana; unchanged ones are not written."""
    if no_refresh and (grafana.force or grafana.adopt):
        raise click.UsageError(NO_REFRESH_CONFLICT)
    settings = grafana.settings()
    message = message or version_message()
    if len(message) > MAX_MESSAGE:
        raise ConfigError(
            f"--message is {len(message)} characters; Grafana keeps at most {MAX_MESSAGE}"
        )
    as_json = output_format == "json"
    with verbose_logging(grafana.verbose), GrafanaClient(settings, grafana.parallel) as client:
        backend, plan = plan_from_options(client, grafana, refresh=not no_refresh)
        if dry_run:
            click.echo(plan_json(plan, FLAG_NAMES) if as_json else format_plan(plan, FLAG_NAMES))
            return _check_plan(plan)
        if not as_json:
            click.echo(format_plan(plan, FLAG_NAMES))
        outcomes = publish(backend, plan, message=message, parallel=grafana.parallel)
    click.echo(
        summary_json(outcomes, api=plan.api, flags=FLAG_NAMES)
        if as_json
        else format_summary(outcomes, plan.api, FLAG_NAMES)
    )
    return _check_outcomes(outcomes)


def _check_plan(plan: Plan) -> int:
    refusing = (Action.DRIFTED, Action.UNMANAGED, Action.FAILED)
    refused = [c.uid for c in plan.changes if c.action in refusing]
    if not refused:
        return EXIT_OK
    return problems_found(
        f"push would refuse {len(refused)} dashboard(s): {', '.join(refused)}; "
        "see the plan (--force overwrites drifted ones, --adopt takes over unmanaged ones)"
    )


def _check_outcomes(outcomes: Sequence[PushOutcome]) -> int:
    bad = [o for o in outcomes if o.result in BAD_RESULTS]
    if not bad:
        return EXIT_OK
    drifted = [o.uid for o in bad if o.result is Result.DRIFTED]
    failed = [o.uid for o in bad if o.result is Result.FAILED]
    parts = []
    if drifted:
        parts.append(
            f"{len(drifted)} drifted and left as they are ({', '.join(drifted)}): port the "
            "Grafana edits into the definitions, or rerun with --force to overwrite them"
        )
    if failed:
        parts.append(f"{len(failed)} failed ({', '.join(failed)}): see the messages above")
    return problems_found("push: " + "; ".join(parts))
