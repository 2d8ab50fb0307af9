"""Credentials against a real Prometheus that demands basic auth (``--web.config.file``).

The sim's PrometheusServer has no flag for a web config, so this module
starts the binary itself on a free loopback port and always stops it.
"""

from __future__ import annotations

import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.sim.prometheus import find_binary, free_port

USER = "meshdash"
PASSWORD = "meshdash-right-password"
WRONG = "meshdash-wrong-password-4d1f"
# bcrypt of PASSWORD at cost 4 (fast to check), made with crypt.crypt(PASSWORD, mksalt(BLOWFISH)).
PASSWORD_HASH = "$2b$04$.oc0v1DCUCNiDsDYj9gGqueSEcnudJyO5aoS2hZcFRfhkQjumkCp6"


@pytest.fixture(scope="module")
def guarded_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    tmp = tmp_path_factory.mktemp("guarded-prometheus")
    (tmp / "web.yml").write_text(f"basic_auth_users:\n  {USER}: {PASSWORD_HASH}\n")
    (tmp / "prometheus.yml").write_text("global:\n  scrape_interval: 15s\n")
    port = free_port()
    process = subprocess.Popen(
        [
            find_binary("prometheus"),
            f"--config.file={tmp / 'prometheus.yml'}",
            f"--web.config.file={tmp / 'web.yml'}",
            f"--storage.tsdb.path={tmp / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            "--log.level=warn",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        stdin=subprocess.DEVNULL,
    )
    try:
        _wait_ready(f"http://127.0.0.1:{port}", process)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_ready(url: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline and process.poll() is None:
        try:
            answer = requests.get(f"{url}/-/ready", auth=(USER, PASSWORD), timeout=1)
            if answer.status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.05)
    pytest.fail(f"prometheus with basic auth did not start on {url}")


def _empty_dashboards(tmp_path: Path) -> str:
    (tmp_path / "dashboards").mkdir()
    return str(tmp_path / "dashboards")


@pytest.mark.parametrize("password", [WRONG, None])
def test_refused_credentials_are_one_error_without_the_secret(
    run_cli: Any,
    monkeypatch: pytest.MonkeyPatch,
    guarded_url: str,
    tmp_path: Path,
    password: str | None,
) -> None:
    if password:
        monkeypatch.setenv("PROMETHEUS_USER", USER)
        monkeypatch.setenv("PROMETHEUS_PASSWORD", password)
    result = run_cli(
        "validate", "--prometheus", guarded_url, "--dashboards", _empty_dashboards(tmp_path)
    )
    assert result.exit_code == 2
    [line] = result.err.strip().splitlines()
    assert f"Prometheus at {guarded_url} refused the credentials (HTTP 401)" in line
    assert WRONG not in result.out + result.err


def test_right_credentials_from_the_environment_are_used(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch, guarded_url: str, tmp_path: Path
) -> None:
    monkeypatch.setenv("PROMETHEUS_USER", USER)
    monkeypatch.setenv("PROMETHEUS_PASSWORD", PASSWORD)
    result = run_cli(
        "validate", "--prometheus", guarded_url, "--dashboards", _empty_dashboards(tmp_path)
    )
    assert result.exit_code == 0, result.err
    assert result.out.strip().startswith("validate: 0 panel(s) ok, 0 failed")
    assert PASSWORD not in result.out + result.err
