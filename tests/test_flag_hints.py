"""Library errors name no command-line flag; the command that took the input names it.

Each case calls the library as a program would (no CLI) and runs the command that
reaches the same mistake: the CLI line is the library's message with the flag added.
"""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from pathlib import Path
from typing import Any

import pytest

from generator.commands.validate import _options, validate_command
from generator.errors import MeshdashError
from generator.grafana.client import GrafanaClient
from generator.grafana.settings import GRAFANA_RETRY, settings_from
from generator.grafana.source import from_files
from generator.http import read_token_file
from generator.loader import definition_names
from generator.outputs.files import prepare_output_dir
from generator.validate import Connection, PrometheusClient, connection_from
from generator.validate.connection import parse_header
from generator.validate.diagnose import SettingNames

NO_RETRY = replace(GRAFANA_RETRY, retries=0)


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


@pytest.fixture
def grafana_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """A Grafana token in the environment, so only the setting under test is wrong."""
    for name in ("GRAFANA_URL", "GRAFANA_USER", "GRAFANA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GRAFANA_TOKEN", "tok-flag-hints")


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _grafana_cases(tmp_path: Path) -> list[tuple[list[str], Callable[[], Any], str]]:
    empty, afile = tmp_path / "token", tmp_path / "x.json"
    empty.write_text("\n")
    afile.write_text("{}")
    url = f"http://127.0.0.1:{_closed_port()}"
    env = {"GRAFANA_URL": url, "GRAFANA_TOKEN": "t"}
    return [
        (["--token-file", str(empty)], lambda: read_token_file(empty), "--token-file"),
        (["--ca-cert", str(tmp_path / "no.pem")],
         lambda: settings_from(env, ca_cert=tmp_path / "no.pem"), "--ca-cert"),
        (["--ca-cert", str(afile), "--insecure"],
         lambda: settings_from(env, ca_cert=afile, insecure=True), "--ca-cert, or --insecure"),
        (["--api", "apis", "--from", str(afile)], lambda: from_files(afile), "--from"),
        (["--url", "ftp://grafana.example"], lambda: settings_from({"GRAFANA_URL": "ftp://grafana.example"}),
         "--url"),
    ]  # fmt: skip


@pytest.mark.parametrize("case", range(5), ids=["token", "ca", "tls", "from", "url"])
@pytest.mark.parametrize("command", ["push", "diff"])
def test_a_bad_grafana_setting(
    run_cli: Any, tmp_path: Path, grafana_env: None, command: str, case: int
) -> None:
    args, call, flag = _grafana_cases(tmp_path)[case]
    error = _library_error(call)
    url = ["--url", f"http://127.0.0.1:{_closed_port()}"] if "--url" not in args else []
    result = run_cli(command, *url, "--retries", "0", *args)
    assert result.exit_code == 2
    assert result.err == f"meshdash: error: {error} ({flag})\n"


def test_a_grafana_that_refuses_the_connection(
    run_cli: Any, tmp_path: Path, grafana_env: None
) -> None:
    url = f"http://127.0.0.1:{_closed_port()}"
    settings = replace(settings_from({"GRAFANA_URL": url, "GRAFANA_TOKEN": "t"}), retry=NO_RETRY)
    with GrafanaClient(settings) as client:
        error = _library_error(client.health)
    (tmp_path / "x.json").write_text('{"uid": "x", "title": "X"}')
    args = ["--url", url, "--api", "legacy", "--retries", "0", "--folder", "General"]
    result = run_cli("push", *args, "--from", str(tmp_path))
    assert result.exit_code == 2
    assert result.err == f"meshdash: error: {error} (--url)\n"
