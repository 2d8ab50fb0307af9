"""Library errors name no command-line flag; the command that took the input names it.

Each case calls the library as a program would (no CLI) and runs the command that
reaches the same mistake: the CLI line is the library's message with the flag added.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from generator.commands.validate import _options, validate_command
from generator.errors import MeshdashError
from generator.loader import definition_names
from generator.outputs.files import prepare_output_dir
from generator.validate import Connection, PrometheusClient, connection_from
from generator.validate.connection import parse_header
from generator.validate.diagnose import SettingNames


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback port that accepts connections and never answers."""
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(8)
        yield listener.getsockname()[1]


def _library_error(call: Callable[[], Any]) -> MeshdashError:
    with pytest.raises(MeshdashError) as caught:
        call()
    assert "--" not in str(caught.value)
    return caught.value


def test_an_output_folder_that_is_a_file(run_cli: Any, tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.write_text("a file")
    error = _library_error(lambda: prepare_output_dir(out, setting="out_dir"))
    (tmp_path / "dashboards").mkdir()
    result = run_cli("build", "--dashboards", str(tmp_path / "dashboards"), "--out", str(out))
    assert (result.exit_code, error.setting) == (2, "out_dir")
    assert result.err == f"meshdash: error: {error} (--out)\n"


def test_a_missing_dashboards_folder(run_cli: Any, tmp_path: Path) -> None:
    error = _library_error(lambda: definition_names(tmp_path / "nowhere"))
    result = run_cli("list", "--dashboards", str(tmp_path / "nowhere"))
    assert result.exit_code == 2
    assert result.err == (
        f"meshdash: error: {error} (--dashboards DIR, or [tool.meshdash] dashboards in "
        "pyproject.toml)\n"
    )


@pytest.mark.parametrize(
    ("args", "call", "flag"),
    [
        (
            ("--prometheus", "ftp://me:pw@prom.example"),
            lambda: connection_from("ftp://me:pw@prom.example", environ={}),
            "--prometheus URL",
        ),
        (
            ("--prometheus", "http://127.0.0.1:1", "--header", "no colon"),
            lambda: parse_header("no colon"),
            "--header",
        ),
    ],
    ids=["url", "header"],
)
def test_a_bad_prometheus_setting(
    run_cli: Any, tmp_path: Path, args: tuple[str, ...], call: Callable[[], Any], flag: str
) -> None:
    error = _library_error(call)
    result = run_cli("validate", "--dashboards", str(tmp_path), *args)
    assert result.exit_code == 2
    assert result.err == f"meshdash: error: {error} ({flag})\n"


def test_a_prometheus_that_does_not_answer_in_time(
    run_cli: Any, tmp_path: Path, silent_port: int
) -> None:
    url = f"http://127.0.0.1:{silent_port}"
    with PrometheusClient(Connection(url, timeout=0.2)) as client:
        error = _library_error(client.check)
    result = run_cli(
        "validate", "--dashboards", str(tmp_path), "--prometheus", url, "--timeout", "0.2"
    )
    assert result.exit_code == 2
    assert result.err == f"meshdash: error: {error} (--timeout)\n"


def test_validate_findings_name_the_settings_by_the_commands_own_flags() -> None:
    options = _options(None, range_text="30m", scrape_interval="15s", max_combinations=5,
                       parallel=1, batch=True)  # fmt: skip
    flags = {opt for param in validate_command.params for opt in param.opts}
    assert set(asdict(options.names).values()) <= flags
    assert not [name for name in asdict(SettingNames()).values() if "--" in name]
