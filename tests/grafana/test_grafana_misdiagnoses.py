"""Issue 8's Grafana misdiagnoses: https to plain HTTP, and a token whose role is too weak."""

from __future__ import annotations

import pytest
from grafana_testdata import SECRETS, VIEWER_TOKEN


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize("insecure", [[], ["--insecure"]])
def test_https_to_a_plain_http_grafana_says_use_http(meshdash, grafana, build_dir, insecure):
    url = grafana.url.replace("http://", "https://")

    run = meshdash("push", "--from", str(build_dir), "--url", url, *insecure)

    assert run.code == 2
    assert "does not speak TLS" in run.err and "use http://" in run.err
    assert url in run.err
    assert "--insecure" not in run.err and "verification" not in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_viewer_token_push_exits_2_naming_the_role_and_url(
    meshdash, grafana, build_dir, monkeypatch
):
    monkeypatch.setenv("GRAFANA_TOKEN", VIEWER_TOKEN)

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 2, run.out + run.err
    assert "403" in run.err and "Editor" in run.err and grafana.url in run.err
    assert "folder" not in run.err.lower()
    assert grafana.dashboards == {}
    assert_no_secret(run.out + run.err)


def test_viewer_token_folder_create_exits_2_naming_the_role_and_the_folder(
    meshdash, grafana, build_dir, monkeypatch
):
    monkeypatch.setenv("GRAFANA_TOKEN", VIEWER_TOKEN)

    run = meshdash("push", "--from", str(build_dir), "--folder", "Platform/Mesh")

    assert run.code == 2, run.out + run.err
    assert "403" in run.err and "folder 'Platform'" in run.err
    assert "Editor" in run.err and grafana.url in run.err
    assert grafana.folders == {} and grafana.dashboards == {}
    assert_no_secret(run.out + run.err)
