"""The ``meshdash`` command line: parsing and dispatch only.

Each command lives in ``generator/commands/<name>.py`` as one small click
command that calls the library and returns its exit code (0 clean, 1 problems
found); no command imports another, and click is used only here and in
``generator/commands/``. Errors are turned into exit codes in one place,
:func:`main`: a :class:`MeshdashError` becomes one line on stderr and
its ``exit_code`` (after the whole chained trace with ``--traceback``); a usage
mistake is one line naming the command and its ``--help``, exit 2; a
:class:`MeshdashWarning` is one line and the command goes on; Ctrl-C is 130;
anything else is a bug, reported with the versions needed to file it, and exit 3.
"""

from __future__ import annotations

import difflib
import gc
import importlib
import re
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

from generator.errors import MeshdashError, MeshdashWarning

# name -> "module:attribute". Commands are imported only when run, so `meshdash build`
# does not pay for the HTTP, simulator and validation stacks it does not use.
COMMANDS: dict[str, str] = {
    "build": "generator.commands.build:build_command",
    "list": "generator.commands.list:list_command",
    "lint": "generator.commands.lint:lint_command",
    "validate": "generator.commands.validate:validate_command",
    "sandbox": "generator.commands.sandbox:sandbox_command",
    "push": "generator.commands.push:push_command",
    "diff": "generator.commands.diff:diff_command",
    "preview": "generator.commands.preview:preview_command",
}


class LazyGroup(click.Group):
    """A click group that imports a command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        target = COMMANDS.get(cmd_name)
        if target is None:
            return None
        module_name, attribute = target.split(":")
        command = getattr(importlib.import_module(module_name), attribute)
        assert isinstance(command, click.Command), target
        return command

    def resolve_command(
        self, ctx: click.Context, args: list[str]
    ) -> tuple[str | None, click.Command | None, list[str]]:
        try:
            return super().resolve_command(ctx, args)
        except click.exceptions.NoSuchCommand as exc:
            close = difflib.get_close_matches(args[0], COMMANDS, n=1)
            if not close:
                raise
            raise click.UsageError(
                f"{exc.format_message()} Did you mean '{close[0]}'?", ctx
            ) from None


#: what the global options asked of the error report; reset by every :func:`main`
REPORT = {"traceback": False}
#: flags of the group that may also be written after the command
GLOBAL_FLAGS = frozenset(["--traceback"])
#: click's suggestion after its message: `. Did you mean '--out'?` or `. (Did you mean one of: ...)`
SUGGESTION = re.compile(r"\. \(?Did you mean (.*?)\)?$")


@click.group(cls=LazyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="meshdash", prog_name="meshdash")
@click.option(
    "--traceback",
    "show_traceback",
    is_flag=True,
    envvar="MESHDASH_TRACEBACK",
    help="On an error, print the whole Python trace (through your definitions) before it.",
)
def cli(show_traceback: bool) -> None:
    """meshdash: service-mesh Grafana dashboards as code."""
    REPORT["traceback"] = show_traceback


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and turn every outcome into an exit code."""
    # A run builds or parses thousands of dashboards' worth of small dicts and keeps
    # them until it ends; with the default thresholds the collector rescans them
    # over and over (half the time of parsing 1,000 dashboards) for nothing.
    gc.set_threshold(100_000, 50, 100)
    REPORT["traceback"] = False
    args = _global_flags_first(sys.argv[1:] if argv is None else argv)
    try:
        with _warnings_as_lines():
            result = cli.main(args=args, prog_name="meshdash", standalone_mode=False)
    except MeshdashError as exc:
        if REPORT["traceback"]:
            click.echo("".join(traceback.format_exception(exc)).rstrip(), err=True)
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
    except click.exceptions.NoArgsIsHelpError as exc:
        exc.show()
        return 2
    except click.UsageError as exc:
        click.echo(_usage_line(exc, args), err=True)
        return 2
    except click.ClickException as exc:
        click.echo(f"meshdash: error: {_one_line(exc.format_message())}", err=True)
        return 2
    except Exception:
        _report_bug()
        return 3
    return result if isinstance(result, int) else 0


@contextmanager
def _warnings_as_lines() -> Iterator[None]:
    """Print each MeshdashWarning as one line on stderr, every time (a test or a bench may run
    several commands in one process); other warnings go where they went."""
    with warnings.catch_warnings():
        warnings.simplefilter("always", MeshdashWarning)
        shown_before = warnings.showwarning

        def show(message: Warning | str, category: type[Warning], *args: Any) -> None:
            if issubclass(category, MeshdashWarning):
                click.echo(f"meshdash: warning: {message}", err=True)
            else:
                shown_before(message, category, *args)

        warnings.showwarning = show
        yield


def _global_flags_first(args: list[str]) -> list[str]:
    """`meshdash build --traceback` works like `meshdash --traceback build`.

    Rerunning a failed command with the flag appended is what users do.
    """
    end = args.index("--") if "--" in args else len(args)
    flags = [arg for arg in args[:end] if arg in GLOBAL_FLAGS]
    rest = [arg for arg in args[:end] if arg not in GLOBAL_FLAGS]
    return flags + rest + args[end:]


def _usage_line(exc: click.UsageError, args: list[str]) -> str:
    """`meshdash build: no such option '--bogus'; did you mean '--out'? (see meshdash build
    --help)`: what is wrong and where to look, on one line instead of click's usage block."""
    if exc.ctx is not None:
        path = exc.ctx.command_path
    else:  # click leaves it out of some errors, e.g. an option given without its value
        path = " ".join(["meshdash", *[a for a in args if a in COMMANDS][:1]])
    message = _one_line(exc.format_message())
    message = SUGGESTION.sub(r"; did you mean \1", message)
    message = message[:1].lower() + message[1:]
    return f"{path}: {message} (see {path} --help)"


def _one_line(message: str) -> str:
    return " ".join(message.split()).rstrip(".")


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
