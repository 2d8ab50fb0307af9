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
from typing import Any

import click

from generator.commands.definitions import build_from_options, definitions_options
from generator.errors import ConfigError, ProblemsFound
from generator.grafana.backends import Backend, Listing
from generator.grafana.client import GrafanaClient
from generator.grafana.options import grafana_options, settings_from_options, verbose_logging
from generator.grafana.plan import (
    NO_REFRESH_CONFLICT,
    Action,
    Desired,
    Plan,
    check_uids,
    compute_plan,
)
from generator.grafana.provenance import version_message
from generator.grafana.publish import BAD_RESULTS, Outcome, Result, publish
from generator.grafana.report import format_plan, format_summary, plan_json, summary_json
from generator.grafana.source import from_built, from_files

MAX_MESSAGE = 500  # Grafana refuses longer version messages


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
    dry_run: bool, message: str | None, output_format: str, no_refresh: bool, **opts: Any
) -> None:
    """Create or update the dashboards in Grafana; unchanged ones are not written."""
    if no_refresh and (opts["force"] or opts["adopt"]):
        raise click.UsageError(NO_REFRESH_CONFLICT)
    settings = settings_from_options(opts)
    message = message or version_message()
    if len(message) > MAX_MESSAGE:
        raise ConfigError(
            f"--message is {len(message)} characters; Grafana keeps at most {MAX_MESSAGE}"
        )
    as_json = output_format == "json"
    with verbose_logging(opts["verbose"]), GrafanaClient(settings, opts["parallel"]) as client:
        backend, plan = plan_from_options(client, opts, refresh=not no_refresh)
        if dry_run:
            click.echo(plan_json(plan) if as_json else format_plan(plan))
            _check_plan(plan)
            return
        if not as_json:
            click.echo(format_plan(plan))
        outcomes = publish(backend, plan, message=message, parallel=opts["parallel"])
    click.echo(
        summary_json(outcomes, api=plan.api) if as_json else format_summary(outcomes, plan.api)
    )
    _check_outcomes(outcomes)


def plan_from_options(
    client: GrafanaClient, opts: dict[str, Any], *, refresh: bool = True
) -> tuple[Backend, Plan]:
    """The API ``--api`` asks for, and the plan under the shared options.

    Grafana is asked which API it serves and listed in a second thread while the build
    (or ``--from``) is read: the listing waits on the network, reading on the disk and
    the parser. Only reads are sent before the build is known good; a bad build or uid
    still stops the run before any write, and its error wins over Grafana's.
    """
    listing = Listing(client, opts["api"], namespace=opts["namespace"], org_id=opts["org_id"])
    listing.start()
    desired = desired_from_options(opts)
    backend, survey = listing.outcome()
    plan = compute_plan(
        backend,
        desired,
        prune=opts["prune"],
        adopt=opts["adopt"],
        force=opts["force"],
        parallel=opts["parallel"],
        refresh=refresh,
        survey=survey,
    )
    return backend, plan


def desired_from_options(opts: dict[str, Any]) -> list[Desired]:
    """``--from DIR`` files, else a fresh build; uids Grafana would refuse stop it here."""
    if opts["from_dir"] is not None:
        desired = from_files(opts["from_dir"], opts["folder"])
    else:
        built = build_from_options(opts["dashboards_dir"], opts["queries_dirs"])
        desired = from_built(built, opts["folder"])
    check_uids(desired)
    return desired


def _check_plan(plan: Plan) -> None:
    refusing = (Action.DRIFTED, Action.UNMANAGED, Action.FAILED)
    refused = [c.uid for c in plan.changes if c.action in refusing]
    if refused:
        raise ProblemsFound(
            f"push would refuse {len(refused)} dashboard(s): {', '.join(refused)}; "
            "see the plan (--force overwrites drifted ones, --adopt takes over unmanaged ones)"
        )


def _check_outcomes(outcomes: Sequence[Outcome]) -> None:
    bad = [o for o in outcomes if o.result in BAD_RESULTS]
    if not bad:
        return
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
    raise ProblemsFound("push: " + "; ".join(parts))
