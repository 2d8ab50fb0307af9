"""The options every command that builds definitions shares: where they are, where queries are."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from generator.commands.params import flag_hints
from generator.config import load_config
from generator.errors import FlavorError
from generator.flavors import FLAVORS, envoy_flavor, set_current_flavor

if TYPE_CHECKING:
    from generator.outputs.built import BuiltDashboard

F = TypeVar("F", bound=Callable[..., Any])

#: where the dashboards folder comes from, for the errors about it
DASHBOARDS_HINT = "--dashboards DIR, or [tool.meshdash] dashboards in pyproject.toml"


def flavor_option(command: F) -> F:
    """Add `--flavor`: the mesh that definitions pinning none, and the simulator, speak."""
    return click.option(
        "--flavor",
        metavar="|".join(sorted(FLAVORS)),
        default=None,
        expose_value=False,
        callback=_choose_flavor,
        help="Mesh of the definitions that pin none (default: [tool.meshdash] flavor, else consul).",
    )(command)


def definitions_options(command: F) -> F:
    """Add `--dashboards DIR`, `--queries DIR` and `--flavor` (defaults from [tool.meshdash])."""
    command = flag_hints(dashboards_dir=DASHBOARDS_HINT)(command)
    command = flavor_option(command)
    command = click.option(
        "--queries",
        "queries_dirs",
        type=click.Path(path_type=Path),
        multiple=True,
        help="Extra folder of PromQL templates, searched first (default: [tool.meshdash] queries).",
    )(command)
    return click.option(
        "--dashboards",
        "dashboards_dir",
        type=click.Path(path_type=Path),
        default=None,
        help="Folder of dashboard definitions (default: [tool.meshdash] dashboards).",
    )(command)


def _choose_flavor(ctx: click.Context, param: click.Parameter, value: str | None) -> None:
    """Set the current flavor before any definition loads; an unknown name lists the known."""
    config = load_config(Path.cwd())
    where = "--flavor" if value else f"{config.source or 'default'}: [tool.meshdash] flavor"
    name = value or config.flavor
    try:
        set_current_flavor(envoy_flavor(**config.envoy) if name == "envoy" else name)
    except FlavorError as exc:
        raise FlavorError(f"{where}: {exc}") from None


def resolve_sources(
    dashboards_dir: Path | None, queries_dirs: tuple[Path, ...]
) -> tuple[Path, list[Path]]:
    """The dashboards folder and the extra query folders the options (or pyproject.toml) name."""
    config = load_config(Path.cwd())
    extra = list(queries_dirs)
    if not extra and config.queries.is_dir():
        extra = [config.queries]
    return dashboards_dir or config.dashboards, extra


def build_from_options(
    dashboards_dir: Path | None, queries_dirs: tuple[Path, ...]
) -> list[BuiltDashboard]:
    """Build the definitions the options (or pyproject.toml) point at."""
    # Imported here: loading grafanalib is most of a no-change `meshdash build`.
    from generator.outputs.build import build_dashboards

    dashboards, extra = resolve_sources(dashboards_dir, queries_dirs)
    return build_dashboards(dashboards, queries_dirs=extra)
