"""The options every command that queries a Prometheus shares: where it is, how to log in, when."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.commands.params import Duration, flag_hints

F = TypeVar("F", bound=Callable[..., Any])


def prometheus_options(command: F) -> F:
    """Add `--prometheus URL`, `--token-file FILE` and `--header 'NAME: VALUE'` (repeatable).

    Credentials otherwise come from the environment (`PROMETHEUS_TOKEN`,
    `PROMETHEUS_USER`/`PROMETHEUS_PASSWORD`), never from a flag's value.
    """
    command = flag_hints(
        prometheus_url="--prometheus URL",
        credentials="--token-file FILE, --header",
        token_file="--token-file FILE",
        headers="--header",
    )(command)
    command = click.option(
        "--header",
        "headers",
        multiple=True,
        metavar="'NAME: VALUE'",
        help="Extra request header, e.g. 'X-Scope-OrgID: tenant'; repeatable.",
    )(command)
    command = click.option(
        "--token-file",
        type=click.Path(path_type=Path),
        help="File holding a bearer token (else $PROMETHEUS_TOKEN).",
    )(command)
    return click.option(
        "--prometheus",
        "url",
        metavar="URL",
        help="Prometheus API root, e.g. http://127.0.0.1:9090.",
    )(command)


def window_options(default_range: str) -> Callable[[F], F]:
    """Add `--range DURATION` (the last DURATION), `--end TIME` and `--scrape-interval`."""

    def decorate(command: F) -> F:
        command = click.option(
            "--scrape-interval",
            type=Duration(),
            default="15s",
            show_default=True,
            help="The data source's scrape interval, for $__rate_interval and the step.",
        )(command)
        command = click.option(
            "--end",
            metavar="TIME",
            help="End of the range (unix seconds or ISO 8601) instead of now.",
        )(command)
        return click.option(
            "--range",
            "range_text",
            type=Duration(),
            default=default_range,
            show_default=True,
            help="Dashboard time range: the last DURATION.",
        )(command)

    return decorate
