"""Click options shared by ``meshdash push`` and ``meshdash diff``.

No option takes a secret: the token comes from ``GRAFANA_TOKEN`` or a file
(``--token-file``), basic auth from ``GRAFANA_USER``/``GRAFANA_PASSWORD``.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.grafana.settings import GrafanaSettings, RetryPolicy, settings_from

F = TypeVar("F", bound=Callable[..., Any])

_PATH = click.Path(path_type=Path)
_OPTIONS = [
    click.option("--url", help="Grafana base URL (default: $GRAFANA_URL)."),
    click.option(
        "--token-file",
        type=click.Path(path_type=Path, dir_okay=False),
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
        type=click.Path(path_type=Path, dir_okay=False),
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
        "-v", "--verbose", is_flag=True, help="Log every request (method, path, status) to stderr."
    ),
]


def grafana_options(command: F) -> F:
    for option in reversed(_OPTIONS):
        command = option(command)
    return command


def settings_from_options(opts: dict[str, Any]) -> GrafanaSettings:
    return settings_from(
        url=opts["url"],
        token_file=opts["token_file"],
        org_id=opts["org_id"],
        ca_cert=opts["ca_cert"],
        insecure=opts["insecure"],
        timeout=opts["timeout"],
        retry=RetryPolicy(
            retries=opts["retries"],
            backoff_factor=opts["backoff"],
            backoff_jitter=opts["backoff"] / 2,  # jitter scales with the backoff it spreads
        ),
    )


@contextmanager
def verbose_logging(enabled: bool) -> Iterator[None]:
    """Send the client's request log (and urllib3's retry warnings) to stderr."""
    if not enabled:
        yield
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("meshdash: %(message)s"))
    loggers = [
        (logging.getLogger("generator.grafana"), logging.DEBUG),
        (logging.getLogger("urllib3"), logging.WARNING),
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
