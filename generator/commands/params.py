"""Click parameter types and exit codes shared by the commands.

Exit codes are fixed, as sqlfluff's are: 0 clean, 1 the command ran and found
problems (a result, returned by the command), 2 bad input or setup (a
:class:`~generator.errors.MeshdashError`, mapped in ``generator.cli``).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar, cast

import click

from generator.errors import ConfigError, InterpolationError, MeshdashError
from generator.promql.durations import to_ms

F = TypeVar("F", bound=Callable[..., Any])

EXIT_OK = 0
EXIT_PROBLEMS = 1


def problems_found(summary: str) -> int:
    """Say what the run found on stderr; the exit code for it."""
    click.echo(f"meshdash: error: {summary}", err=True)
    return EXIT_PROBLEMS


def flag_hints(**flags: str) -> Callable[[F], F]:
    """Name the flag behind a library input in the errors about it.

    The library raises ``OutputError(message, setting="out_dir")`` in its own words;
    a command whose ``--out`` gave ``out_dir`` is decorated with
    ``flag_hints(out_dir="--out")``, and its user reads ``message (--out)``.
    """

    def decorate(command: F) -> F:
        @functools.wraps(command)
        def run(*args: Any, **kwargs: Any) -> Any:
            try:
                return command(*args, **kwargs)
            except MeshdashError as exc:
                flag = flags.get(exc.setting or "")
                if flag is not None:
                    exc.args = (f"{exc} ({flag})",)
                    exc.setting = None  # named once, by the innermost decorator that knows it
                raise

        return cast(F, run)

    return decorate


def fail_on_option(*, default: str) -> Callable[[F], F]:
    """``--fail-on SEVERITY`` of lint and validate: the lowest severity that exits 1."""
    # Imported here: push and diff, which share this module, need no finding types.
    from generator.promql.lint.problems import Severity

    return click.option(
        "--fail-on",
        type=click.Choice([s.name.lower() for s in Severity]),
        default=default,
        show_default=True,
        help="Lowest severity that makes the command exit 1.",
    )


class Duration(click.ParamType):
    """A Grafana/Prometheus duration (``30m``, ``1h``, ``500ms``; a bare number is seconds).

    The value stays the text the user gave (queries interpolate it as written); a
    bad one is a one-line ConfigError naming the flag, like every other bad input.
    """

    name = "duration"

    def __init__(self, minimum: str | None = None, maximum: str | None = None) -> None:
        self.minimum, self.maximum = minimum, maximum

    def convert(
        self, value: object, param: click.Parameter | None, ctx: click.Context | None
    ) -> str:
        text = str(value).strip()
        flag = _flag(param)
        try:
            ms = to_ms(text)
        except InterpolationError:
            raise ConfigError(f"{flag} {text!r} is not a duration like 30m, 1h or 15s") from None
        if self.minimum is not None and ms < to_ms(self.minimum):
            raise ConfigError(f"{flag} {text!r} must be {self._bounds()}")
        if self.maximum is not None and ms > to_ms(self.maximum):
            raise ConfigError(f"{flag} {text!r} must be {self._bounds()}")
        return text

    def _bounds(self) -> str:
        if self.minimum is not None and self.maximum is not None:
            return f"between {self.minimum} and {self.maximum}"
        return f"at least {self.minimum}" if self.minimum is not None else f"at most {self.maximum}"


def seconds(duration: str) -> float:
    """A :class:`Duration` value in seconds."""
    return to_ms(duration) / 1000


def parse_end(text: str) -> int:
    """``--end``: unix seconds or an ISO 8601 time, in milliseconds."""
    try:
        return round(float(text) * 1000)
    except ValueError:
        pass
    try:
        return round(datetime.fromisoformat(text).timestamp() * 1000)
    except ValueError:
        raise ConfigError(f"--end {text!r} is neither unix seconds nor an ISO 8601 time") from None


def _flag(param: click.Parameter | None) -> str:
    if param is None:
        return "duration"
    return max(param.opts, key=len, default=param.name or "duration")
