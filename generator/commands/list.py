"""`meshdash list`: dashboards, their panels and the PromQL of each target."""

from __future__ import annotations

from pathlib import Path

import click

from generator.commands.definitions import build_from_options, definitions_options
from generator.commands.params import EXIT_OK
from generator.promql.dashboard import iter_panels


@click.command("list")
@definitions_options
def list_command(dashboards_dir: Path | None, queries_dirs: tuple[Path, ...]) -> int:
    """Show dashboards, panels and their queries."""
    for item in build_from_options(dashboards_dir, queries_dirs):
        click.echo(f"{item.uid}  {item.title}  ({item.source})")
        for variable in item.data["templating"]["list"]:
            query = variable.get("query", "")
            click.echo(f"  ${variable['name']}: {query}  {variable.get('regex', '')}".rstrip())
        for panel in iter_panels(item.data, rows=True):
            if panel["type"] == "row":
                repeat = f" (repeated per ${panel['repeat']})" if panel.get("repeat") else ""
                click.echo(f"  row: {panel['title']}{repeat}")
                continue
            click.echo(f"    [{panel['type']}] {panel['title']}")
            for target in panel.get("targets", []):
                click.echo(f"      {target['refId']}: {target['expr']}")
    return EXIT_OK
