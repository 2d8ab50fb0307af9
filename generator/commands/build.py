"""`meshdash build`: definitions -> one `<uid>.json` per dashboard."""

from __future__ import annotations

from pathlib import Path

import click

from generator.build import (
    check_outputs,
    stale_outputs,
    write_outputs,
)
from generator.commands.definitions import build_from_options, definitions_options
from generator.deliver import write_configmaps, write_provisioning
from generator.errors import OutputError, ProblemsFound

DEFAULT_OUT = Path("build/dashboards")


@click.command("build")
@definitions_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where the JSON files go.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 naming the files that differ from a fresh build.",
)
@click.option(
    "--provisioning",
    "provisioning_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write a Grafana file-provisioning provider and the JSON files here.",
)
@click.option(
    "--configmap",
    "configmap_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write one ConfigMap per dashboard here, for Grafana's dashboard sidecar.",
)
def build_command(
    dashboards_dir: Path | None,
    queries_dirs: tuple[Path, ...],
    out_dir: Path,
    check: bool,
    provisioning_dir: Path | None,
    configmap_dir: Path | None,
) -> None:
    """Build the dashboards into Grafana JSON."""
    built = build_from_options(dashboards_dir, queries_dirs)
    if check:
        problems = check_outputs(built, out_dir)
        for line in problems:
            click.echo(f"drift: {line}", err=True)
        if problems:
            raise ProblemsFound(
                f"{len(problems)} file(s) in {out_dir} differ from a fresh build; "
                "run `make dashboards` and commit the result"
            )
        click.echo(f"{len(built)} dashboard(s) in {out_dir} match a fresh build")
        return
    for path, state in write_outputs(built, out_dir):
        click.echo(f"{state:9} {path}")
    for path in stale_outputs(built, out_dir):
        try:
            path.unlink()
        except OSError as exc:
            raise OutputError(f"cannot remove stale {path}: {exc.strerror}") from None
        click.echo(f"removed   {path} (no dashboard defines it any more)")
    if provisioning_dir is not None:
        written = write_provisioning(built, provisioning_dir)
        click.echo(f"provisioning: {len(written)} file(s) in {provisioning_dir}")
    if configmap_dir is not None:
        written = write_configmaps(built, configmap_dir)
        click.echo(f"configmaps: {len(written)} file(s) in {configmap_dir}")
