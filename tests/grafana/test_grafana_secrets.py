"""No token or password ever reaches stdout, stderr, a repr or an error message."""

from __future__ import annotations

import socket

import pytest
from grafana_testdata import ADMIN_PASSWORD, ADMIN_TOKEN, ADMIN_USER, SECRETS

from generator.grafana.client import GrafanaClient
from generator.grafana.settings import settings_from

WRONG_TOKEN = "glsa_WRONGsecret_0d9e8f7a6b"


def assert_no_secret(*texts: str) -> None:
    for text in texts:
        for secret in (*SECRETS, WRONG_TOKEN):
            assert secret not in text


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_verbose_push_logs_requests_but_no_secret(meshdash, grafana, paths, build_dir):
    method, path = paths.create
    grafana.inject("reset", 1, method=method, path=path)

    run = meshdash("push", "--from", str(build_dir), "--verbose")

    assert run.code == 0
    assert grafana.fired == {"reset": 1}  # the retry the log shows really happened
    assert f"meshdash: {method} {path}" in run.err and ": no answer; retry 1 of 3 in " in run.err
    assert f"{method} {path} -> {200 if paths.legacy else 201}" in run.err
    assert_no_secret(run.out, run.err)


@pytest.mark.parametrize("verbose", [[], ["--verbose"]])
def test_wrong_token_is_a_401_message_without_the_token(meshdash, build_dir, monkeypatch, verbose):
    monkeypatch.setenv("GRAFANA_TOKEN", WRONG_TOKEN)

    run = meshdash("push", "--from", str(build_dir), *verbose)

    assert run.code == 2
    assert "401" in run.err and "GRAFANA_TOKEN" in run.err
    assert_no_secret(run.out, run.err)


@pytest.mark.parametrize("verbose", [[], ["--verbose"]])
def test_connection_refused_with_credentials_in_url_prints_no_password(
    meshdash, build_dir, monkeypatch, verbose
):
    monkeypatch.delenv("GRAFANA_TOKEN")
    monkeypatch.setenv(
        "GRAFANA_URL", f"http://{ADMIN_USER}:{ADMIN_PASSWORD}@127.0.0.1:{closed_port()}"
    )

    run = meshdash("push", "--from", str(build_dir), *verbose)

    assert run.code == 2 and "connection refused" in run.err
    assert_no_secret(run.out, run.err)


def test_credentials_in_url_become_basic_auth(meshdash, grafana, build_dir, monkeypatch):
    monkeypatch.delenv("GRAFANA_TOKEN")
    address = grafana.url.removeprefix("http://")
    monkeypatch.setenv("GRAFANA_URL", f"http://{ADMIN_USER}:{ADMIN_PASSWORD}@{address}")

    run = meshdash("push", "--from", str(build_dir), "--verbose")

    assert run.code == 0, run.err
    assert len(grafana.dashboards) == 3
    assert_no_secret(run.out, run.err)


def test_settings_and_client_reprs_hide_secrets(grafana):
    env = {"GRAFANA_URL": grafana.url, "GRAFANA_TOKEN": ADMIN_TOKEN}
    settings = settings_from(env)
    basic = settings_from({"GRAFANA_URL": f"http://u:{ADMIN_PASSWORD}@127.0.0.1:1"})

    with GrafanaClient(settings) as client:
        texts = [
            repr(settings),
            str(settings),
            repr(basic),
            repr(client),
            repr(client._session.auth),
        ]
    assert_no_secret(*texts)
    assert basic.url == "http://127.0.0.1:1"
    assert (
        basic.credentials.password is not None
        and basic.credentials.password.reveal() == ADMIN_PASSWORD
    )
