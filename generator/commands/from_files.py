"""`--from PATH...` for lint and validate: Grafana dashboard JSON files instead of definitions."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from generator.errors import ConfigError, DashboardLoadError
from generator.promql.foreign import ForeignSet, read_foreign

F = TypeVar("F", bound=Callable[..., Any])


def from_options(command: F) -> F:
    """Add `--from PATH` (repeatable; more paths may follow it) for dashboard JSON files."""
    command = click.argument("more_paths", nargs=-1, type=click.Path(path_type=Path))(command)
    return click.option(
        "--from",
        "from_paths",
        type=click.Path(path_type=Path),
        multiple=True,
        help="Check Grafana dashboard JSON files (or folders of them) instead of definitions; "
        "more paths may follow.",
    )(command)


def read_from(from_paths: tuple[Path, ...], more_paths: tuple[Path, ...]) -> ForeignSet | None:
    """The dashboards `--from` names, or None without it (then the definitions are built)."""
    if more_paths and not from_paths:
        raise ConfigError(f"unexpected argument {more_paths[0]}; give dashboard JSON with --from")
    if not from_paths:
        return None
    return read_foreign([*from_paths, *more_paths])


def report_unreadable(found: ForeignSet) -> None:
    """One line per file that is no dashboard (stderr), the last as the exit-2 error."""
    if not found.errors:
        return
    for line in found.errors[:-1]:
        click.echo(f"meshdash: error: {line}", err=True)
    raise DashboardLoadError(found.errors[-1])
