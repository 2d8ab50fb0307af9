"""Credentials against a real Prometheus that demands basic auth (``--web.config.file``).

The sim's PrometheusServer starts it with the web config and stops it.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.sim.prometheus import PrometheusServer

USER = "meshdash"
PASSWORD = "meshdash-right-password"
WRONG = "meshdash-wrong-password-4d1f"
# bcrypt of PASSWORD at cost 4 (fast to check), made with crypt.crypt(PASSWORD, mksalt(BLOWFISH)).
PASSWORD_HASH = "$2b$04$.oc0v1DCUCNiDsDYj9gGqueSEcnudJyO5aoS2hZcFRfhkQjumkCp6"


@pytest.fixture(scope="module")
def guarded_url() -> Iterator[str]:
    web_config = f"basic_auth_users:\n  {USER}: {PASSWORD_HASH}\n"
    with PrometheusServer(web_config=web_config, ready_auth=(USER, PASSWORD)) as server:
        yield server.url


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
