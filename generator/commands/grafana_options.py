"""The Grafana options ``push`` and ``diff`` share, as one typed value, and the plan they make.

No option takes a secret: the token comes from ``GRAFANA_TOKEN`` or a file
(``--token-file``), basic auth from ``GRAFANA_USER``/``GRAFANA_PASSWORD``.
"""

from __future__ import annotations

import functools
import gc
import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, fields, replace
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.commands.definitions import build_from_options
from generator.commands.params import flag_hints
from generator.grafana.backends import Backend, start_listing
from generator.grafana.client import GrafanaClient
from generator.grafana.plan import Plan, check_uids, compute_plan
from generator.grafana.settings import GRAFANA_RETRY, GrafanaSettings, settings_from
from generator.grafana.source import from_built, from_files
from generator.outputs.built import BuiltDashboard

F = TypeVar("F", bound=Callable[..., Any])


@dataclass(frozen=True)
class GrafanaOptions:
    """What the Grafana options of ``push`` and ``diff`` asked for."""

    url: str | None
    token_file: Path | None
    org_id: int | None
    api: str
    namespace: str | None
    ca_cert: Path | None
    insecure: bool
    timeout: float
    retries: int
    backoff: float
    from_dir: Path | None
    folder: str | None
    prune: bool
    adopt: bool
    force: bool
    parallel: int
    verbose: bool
    dashboards_dir: Path | None = None
    queries_dirs: tuple[Path, ...] = ()

    def settings(self) -> GrafanaSettings:
        return settings_from(
            url=self.url,
            token_file=self.token_file,
            org_id=self.org_id,
            ca_cert=self.ca_cert,
            insecure=self.insecure,
            timeout=self.timeout,
            retry=replace(
                GRAFANA_RETRY,
                retries=self.retries,
                backoff_factor=self.backoff,
                backoff_jitter=self.backoff / 2,  # jitter scales with the backoff it spreads
            ),
        )


_FIELDS = frozenset(field.name for field in fields(GrafanaOptions))
#: the flag behind each setting the Grafana library names, in its errors
#: (``MeshdashError.setting``) and in a plan's reasons (``Change.setting``)
FLAG_NAMES = {
    "url": "--url",
    "token_file": "--token-file",
    "ca_cert": "--ca-cert",
    "tls": "--ca-cert, or --insecure",
    "timeout": "--timeout",
    "api": "--api",
    "legacy_api": "--api legacy",
    "legacy_api_forced": "--api legacy, with --force once",
    "from_dir": "--from",
    "folder": "--folder",
    "force": "--force",
    "adopt": "--adopt",
    "prune": "--prune",
    "refresh": "--no-refresh",
}

_PATH = click.Path(path_type=Path)
_OPTIONS = [
    click.option("--url", help="Grafana base URL (default: $GRAFANA_URL)."),
    click.option(
        "--token-file",
        type=click.Path(path_type=Path),
        help="File holding a service-account token (default: $GRAFANA_TOKEN, "
        "else $GRAFANA_USER/$GRAFANA_PASSWORD).",
    ),
    click.option(
        "--org-id",
        type=click.IntRange(min=1),
        help="Organization to act in (sends X-Grafana-Org-Id).",
    ),
    click.option(
        "--api",
        type=click.Choice(["auto", "apis", "legacy"]),
        default="auto",
        show_default=True,
        help="Grafana API: the resource API /apis (Grafana 12+), the legacy /api, or auto "
        "(/apis when it serves dashboard.grafana.app v1 or v1beta1, else /api).",
    ),
    click.option(
        "--namespace",
        help="Resource-API namespace (default: 'default' for org 1, 'org-<id>' for "
        "--org-id; 'stacks-<id>' on Grafana Cloud).",
    ),
    click.option(
        "--ca-cert",
        type=click.Path(path_type=Path),
        help="CA bundle for a Grafana behind a private CA.",
    ),
    click.option("--insecure", is_flag=True, help="Skip TLS verification (test instances only)."),
    click.option(
        "--timeout",
        type=click.FloatRange(min=0.01),
        default=30.0,
        show_default=True,
        help="Seconds to wait for each answer.",
    ),
    click.option(
        "--retries",
        type=click.IntRange(min=0),
        default=4,
        show_default=True,
        help="Retries on connection errors, 429 and 5xx.",
    ),
    click.option(
        "--backoff",
        type=click.FloatRange(min=0.0),
        default=0.5,
        show_default=True,
        help="Base seconds of the exponential backoff between retries.",
    ),
    click.option(
        "--from",
        "from_dir",
        type=_PATH,
        help="Publish built JSON files from this folder instead of building.",
    ),
    click.option("--folder", help="Put every dashboard in this folder path ('A/B' nests)."),
    click.option(
        "--prune", is_flag=True, help="Also delete managed dashboards that are no longer defined."
    ),
    click.option(
        "--adopt",
        is_flag=True,
        help="Take over dashboards with the same uid that meshdash did not create.",
    ),
    click.option("--force", is_flag=True, help="Overwrite dashboards edited in Grafana."),
    click.option(
        "--parallel",
        type=click.IntRange(1, 32),
        default=4,
        show_default=True,
        help="Requests in flight at once.",
    ),
    click.option(
        "-v",
        "--verbose",
        is_flag=True,
        help="Log every request (method, path, status) and each retry to stderr.",
    ),
]


def grafana_options(command: F) -> F:
    """Add the Grafana options; the command receives them as ``grafana: GrafanaOptions``.

    Put it below ``definitions_options``: the definitions' folders are folded in too.
    """

    @functools.wraps(command)
    def typed(*args: Any, **kwargs: Any) -> Any:
        values = {name: kwargs.pop(name) for name in list(kwargs) if name in _FIELDS}
        return command(*args, grafana=GrafanaOptions(**values), **kwargs)

    typed = flag_hints(**FLAG_NAMES)(typed)
    for option in reversed(_OPTIONS):
        typed = option(typed)
    return typed  # type: ignore[return-value]


def plan_from_options(
    client: GrafanaClient, opts: GrafanaOptions, *, refresh: bool = True
) -> tuple[Backend, Plan]:
    """The API ``--api`` asks for, and the plan under the shared options.

    Grafana is asked which API it serves and listed in a second thread while the build
    (or ``--from``) is read: the listing waits on the network, reading on the disk and
    the parser. Only reads are sent before the build is known good; a bad build or uid
    still stops the run before any write, and its error wins over Grafana's.
    """
    # A build runs the definitions' code, which may make cycles: only --from pauses.
    with acyclic_allocations() if opts.from_dir is not None else nullcontext():
        listing = start_listing(client, opts.api, namespace=opts.namespace, org_id=opts.org_id)
        desired = desired_from_options(opts)
        backend, survey = listing.result()
        plan = compute_plan(
            backend,
            desired,
            prune=opts.prune,
            adopt=opts.adopt,
            force=opts.force,
            parallel=opts.parallel,
            refresh=refresh,
            survey=survey,
        )
    return backend, plan


@contextmanager
def acyclic_allocations() -> Iterator[None]:
    """The cycle collector paused while the build and Grafana's copy are parsed.

    Parsed JSON holds no reference cycles (nor do ``--from`` files), yet the collector's young-generation scans
    visited each of the millions of dicts and lists a plan of 1,000 dashboards parses,
    a sixth of a no-change push's CPU time. Afterwards what was allocated goes straight
    to the oldest generation (freeze, then unfreeze), left to the rare full collection.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        gc.unfreeze()
        if enabled:
            gc.enable()


def desired_from_options(opts: GrafanaOptions) -> list[BuiltDashboard]:
    """``--from DIR`` files, else a fresh build; uids Grafana would refuse stop it here."""
    if opts.from_dir is not None:
        desired = from_files(opts.from_dir, opts.folder)
    else:
        built = build_from_options(opts.dashboards_dir, opts.queries_dirs)
        desired = from_built(built, opts.folder)
    check_uids(desired)
    return desired


@contextmanager
def verbose_logging(enabled: bool) -> Iterator[None]:
    """Send the client's request log (and each retry, from generator.http) to stderr."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("meshdash: %(message)s"))
    loggers = [
        (logging.getLogger("generator.grafana"), logging.DEBUG),
        (logging.getLogger("generator.http"), logging.DEBUG),
    ]
    saved = [(logger, logger.level) for logger, _ in loggers]
    for logger, level in loggers:
        logger.addHandler(handler)
        logger.setLevel(level)
    try:
        yield
    finally:
        for logger, level in saved:
            logger.removeHandler(handler)
            logger.setLevel(level)
