"""What an SRE sees on a first day: one clear line for every usage or setup mistake."""

from __future__ import annotations

import shutil
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.errors import SandboxError
from generator.sim.prometheus import PrometheusServer
from tests.conftest import DASHBOARDS


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
        (  # a usage error a command raises itself, after click parsed the line
            ["push", "--no-refresh", "--force"],
            "meshdash push: --no-refresh cannot be combined with --force or --adopt: they need "
            "every dashboard read from Grafana; drop --no-refresh (see meshdash push --help)",
        ),
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


@pytest.fixture
def busy_port() -> Iterator[int]:
    """A loopback port something listens on for the length of the test."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield int(holder.getsockname()[1])


def test_sandbox_on_a_busy_port_is_one_line_and_starts_nothing(
    run_cli: Any, busy_port: int
) -> None:
    result = run_cli("sandbox", "--port", str(busy_port), "--duration", "1")
    assert result.exit_code == 2
    assert result.err == (
        f"meshdash: error: port {busy_port} on 127.0.0.1 is in use; "
        "pick another port or stop what uses it (--port)\n"
    )
    assert "Prometheus:" not in result.out


class _Unchecked(PrometheusServer):
    """Starts Prometheus without looking at the port first, as when it is taken meanwhile."""

    def _check_port(self) -> None:
        pass


def test_prometheus_failing_to_bind_says_the_port_is_in_use(busy_port: int) -> None:
    """Prometheus's own bind error (its log) is recognised: the same line, not its log."""
    with pytest.raises(SandboxError) as raised, _Unchecked(port=busy_port):
        pass
    assert (str(raised.value), raised.value.setting) == (
        f"port {busy_port} on 127.0.0.1 is in use; pick another port or stop what uses it",
        "port",
    )


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.meshdash]\ndashboards = "dashboards"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _panel_count(dashboard: dict[str, Any]) -> int:
    """Panels as Grafana shows them: rows are headers, a collapsed row's panels count."""
    count = 0
    for panel in dashboard["panels"]:
        count += len(panel.get("panels", [])) if panel["type"] == "row" else 1
    return count


def test_a_clean_lint_says_what_it_checked(
    run_cli: Any, shipped_dir: Path, shipped: list[Any]
) -> None:
    result = run_cli("lint", "--dashboards", str(shipped_dir))
    panels = sum(_panel_count(item.data) for item in shipped)
    assert (result.exit_code, result.err) == (0, "")
    assert result.out == f"lint: {len(shipped)} dashboard(s), {panels} panel(s), 0 problem(s)\n"


#: a Dashboard kept in a dict: the loader finds none, as with one never assigned
IN_A_DICT = """
from generator.dashboard import Dashboard

BOARDS = {"a": Dashboard(uid="in-a-dict", title="In a dict", rows=[])}
"""


@pytest.mark.parametrize("command", [["build", "--no-cache", "--out", "out"], ["lint"], ["list"]])
def test_a_definition_file_without_a_dashboard_is_warned_about(
    run_cli: Any, project: Path, command: list[str]
) -> None:
    shutil.copyfile(DASHBOARDS / "overview.py", project / "dashboards" / "overview.py")
    (project / "dashboards" / "typo.py").write_text(IN_A_DICT)
    (project / "dashboards" / "_helper.py").write_text("WIDTH = 12\n")
    warning = (
        "meshdash: warning: dashboards/typo.py defines no dashboard; assign a Dashboard(...) "
        "to a module-level name (alone or in a list or tuple), or rename the file to "
        "_typo.py if it is a helper\n"
    )
    for _ in range(2):  # every run says it, not only the first in a process
        result = run_cli(*command, "--dashboards", "dashboards")
        assert result.err.replace(str(project) + "/", "").startswith(warning)
        assert (result.exit_code, result.err.count("\n")) == (0, 1)
