"""The ``meshdash`` command line: parsing and dispatch only.

Each command lives in ``generator/commands/<name>.py`` as one small click
command that calls the library. Errors are turned into exit codes in one
place, :func:`main`: a :class:`MeshdashError` becomes one line on stderr and
its ``exit_code``; Ctrl-C is 130; anything else is a bug, reported with the
versions needed to file it, and exit 3.
"""

from __future__ import annotations

import sys
import traceback

import click

from generator.commands.build import build_command
from generator.commands.diff import diff_command
from generator.commands.lint import lint_command
from generator.commands.list import list_command
from generator.commands.push import push_command
from generator.commands.sandbox import sandbox_command
from generator.commands.validate import validate_command
from generator.errors import MeshdashError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="meshdash", prog_name="meshdash")
def cli() -> None:
    """meshdash: service-mesh Grafana dashboards as code."""


cli.add_command(build_command)
cli.add_command(list_command)
cli.add_command(lint_command)
cli.add_command(push_command)
cli.add_command(diff_command)
cli.add_command(sandbox_command)
cli.add_command(validate_command)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every outcome into an exit code."""
    try:
        result = cli.main(args=argv, prog_name="meshdash", standalone_mode=False)
    except MeshdashError as exc:
        click.echo(f"meshdash: error: {exc}", err=True)
        return exc.exit_code
    except click.exceptions.Abort:
        click.echo("meshdash: interrupted", err=True)
        return 130
    except KeyboardInterrupt:
        click.echo("meshdash: interrupted", err=True)
        return 130
    except click.exceptions.Exit as exc:
        return exc.exit_code
    except click.ClickException as exc:
        exc.show()
        return 2
    except Exception:
        _report_bug()
        return 3
    return result if isinstance(result, int) else 0


def _report_bug() -> None:
    from importlib.metadata import version

    click.echo(
        f"meshdash: internal error (meshdash {version('meshdash')}, "
        f"Python {sys.version.split()[0]}); please report it with this trace:",
        err=True,
    )
    click.echo(traceback.format_exc(), err=True)


if __name__ == "__main__":
    sys.exit(main())
