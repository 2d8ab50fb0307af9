"""What an SRE sees on a first day: one clear line for every usage mistake."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["build", "--bogus"],
            "meshdash build: no such option '--bogus'; did you mean '--out'? "
            "(see meshdash build --help)",
        ),
        (
            ["lint", "--fromm", "x"],
            "meshdash lint: no such option '--fromm'; did you mean one of: '--format', '--from'? "
            "(see meshdash lint --help)",
        ),
        (
            ["lint", "--format", "xml"],
            "meshdash lint: invalid value for '--format': 'xml' is not one of 'text', 'json' "
            "(see meshdash lint --help)",
        ),
        (
            ["validate", "--prometheus"],
            "meshdash validate: option '--prometheus' requires an argument "
            "(see meshdash validate --help)",
        ),
        (
            ["push", "extra"],
            "meshdash push: got unexpected extra argument (extra) (see meshdash push --help)",
        ),
        (
            ["sandbox", "--port", "70000"],
            "meshdash sandbox: invalid value for '--port': 70000 is not in the range "
            "0<=x<=65535 (see meshdash sandbox --help)",
        ),
        (
            ["buidl"],
            "meshdash: no such command 'buidl'; did you mean 'build'? (see meshdash --help)",
        ),
        (["frobnicate"], "meshdash: no such command 'frobnicate' (see meshdash --help)"),
        (["--bogus"], "meshdash: no such option '--bogus' (see meshdash --help)"),
    ],
)
def test_a_usage_error_is_one_line_naming_the_command_and_its_help(
    run_cli: Any, args: list[str], line: str
) -> None:
    result = run_cli(*args)
    assert (result.exit_code, result.out, result.err) == (2, "", line + "\n")


def test_no_command_still_shows_the_help(run_cli: Any) -> None:
    result = run_cli()
    assert result.exit_code == 2
    assert "Commands:" in result.out + result.err
