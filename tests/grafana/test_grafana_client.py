"""The HTTP client against the stand-in: error mapping, paging, retries, TLS settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from grafana_testdata import BUILD, VIEWER_TOKEN, fast_settings

from generator.errors import GrafanaAuthError, GrafanaConflict, GrafanaNotFound
from generator.grafana import state
from generator.grafana.client import GrafanaClient, new_session
from generator.grafana.plan import compute_plan
from generator.grafana.publish import Result, publish
from generator.outputs.built import BuiltDashboard


def desired(uid: str = "meshdash-service") -> BuiltDashboard:
    data = BUILD[uid]
    return BuiltDashboard(uid=uid, title=data["title"], folder=None, data=data, source=Path("test"))


def test_search_follows_pages_and_filters_by_tag(client, grafana):
    for n in range(5):
        grafana.seed_dashboard({"uid": f"m{n}", "title": f"Managed {n}", "tags": ["meshdash"]})
    grafana.seed_dashboard({"uid": "other", "title": "Other", "tags": ["team"]})

    hits = client.search(tag="meshdash", page_size=2)

    assert sorted(hit["uid"] for hit in hits) == [f"m{n}" for n in range(5)]
    assert grafana.count("GET", "/api/search") == 3


def test_missing_dashboard_reads_as_none_and_deletes_as_false(client):
    assert client.get_dashboard("nope") is None
    assert client.delete_dashboard("nope") is False


def test_unknown_folder_is_named_not_found(client):
    with pytest.raises(GrafanaNotFound, match=r"'meshdash-service'.*400 folder not found"):
        client.save_dashboard(BUILD["meshdash-service"], folder_uid="gone", message="m")


@pytest.mark.parametrize(
    ("seed", "body_version", "status"),
    [
        ({"uid": "meshdash-service", "title": "Service overview"}, 0, "version-mismatch"),
        ({"uid": "someone-else", "title": "Service overview"}, None, "name-exists"),
    ],
)
def test_412_reasons_become_conflicts_naming_the_dashboard(
    client, grafana, seed, body_version, status
):
    grafana.seed_dashboard(seed)
    body = dict(BUILD["meshdash-service"])
    if body_version is not None:
        body["version"] = body_version

    with pytest.raises(GrafanaConflict) as caught:
        client.save_dashboard(body, folder_uid="", message="m")

    text = str(caught.value)
    assert f"412 {status}" in text and "'meshdash-service'" in text and grafana.url in text


def test_plugin_dashboard_is_refused_and_reported(client, grafana):
    grafana.seed_dashboard(
        {"uid": "meshdash-service", "title": "From a plugin"}, plugin_id="envoy-app"
    )
    changes = compute_plan(client, [desired()], adopt=True)

    (outcome,) = publish(client, changes, message="m")

    assert outcome.result is Result.FAILED and "plugin-dashboard" in outcome.message
    assert grafana.dashboard("meshdash-service")["title"] == "From a plugin"


def test_edit_between_plan_and_write_is_drifted_not_overwritten(client, grafana):
    grafana.seed_dashboard(state.stamp(BUILD["meshdash-service"]))
    changed = dict(BUILD["meshdash-service"], description="new in the build")
    plan = compute_plan(
        client, [BuiltDashboard("meshdash-service", "Service overview", None, Path("t"), changed)]
    )
    grafana.edit_in_ui("meshdash-service", lambda d: d.update(description="edited meanwhile"))

    (outcome,) = publish(client, plan, message="m")

    assert outcome.result is Result.DRIFTED
    assert "version 1 -> 2" in outcome.message
    assert grafana.dashboard("meshdash-service")["description"] == "edited meanwhile"


def test_viewer_token_reads_but_cannot_write(grafana):
    with GrafanaClient(fast_settings(grafana.url, token=VIEWER_TOKEN)) as viewer:
        assert viewer.get_dashboard("nope") is None
        with pytest.raises(GrafanaAuthError, match=r"403.*Editor role"):
            viewer.create_folder("f", "Folder", None)
    assert grafana.folders == {}


def test_unknown_token_is_401(grafana):
    with (
        GrafanaClient(fast_settings(grafana.url, token="nope")) as stranger,
        pytest.raises(GrafanaAuthError, match="401"),
    ):
        stranger.get_dashboard("x")


def test_the_session_itself_never_retries_so_the_seam_sees_every_attempt(grafana):
    session = new_session(fast_settings(grafana.url))
    assert session.get_adapter(grafana.url).max_retries.total == 0
    grafana.inject("503", 2, method="GET", path="/api/health")

    with GrafanaClient(fast_settings(grafana.url)) as client:
        assert client.health()["database"] == "ok"
    assert grafana.fired == {"503": 2} and grafana.count("GET", "/api/health") == 3


def test_tls_verification_is_on_unless_asked(grafana, tmp_path: Path, monkeypatch):
    for name in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE"):
        monkeypatch.delenv(name, raising=False)
    bundle = tmp_path / "ca.pem"
    bundle.write_text("not used in this test")
    assert new_session(fast_settings("https://grafana.example")).verify is True
    assert new_session(fast_settings("https://g", ca_cert=bundle)).verify == str(bundle)
    assert new_session(fast_settings("https://g", insecure=True)).verify is False


@pytest.mark.parametrize(
    ("env", "flags", "proxies", "verify"),
    [
        ({"HTTPS_PROXY": "http://proxy:3128"}, {}, {"https": "http://proxy:3128"}, True),
        ({"HTTPS_PROXY": "http://proxy:3128", "NO_PROXY": "grafana.example"}, {}, {}, True),
        ({"REQUESTS_CA_BUNDLE": "/env/ca.pem"}, {}, {}, "/env/ca.pem"),
        ({"CURL_CA_BUNDLE": "/env/curl.pem"}, {"insecure": True}, {}, False),
    ],
)
def test_environment_is_read_once_for_grafanas_host(monkeypatch, env, flags, proxies, verify):
    for name in ("HTTPS_PROXY", "HTTP_PROXY", "ALL_PROXY", "NO_PROXY", "REQUESTS_CA_BUNDLE"):
        for variant in (name, name.lower()):
            monkeypatch.delenv(variant, raising=False)
    monkeypatch.delenv("CURL_CA_BUNDLE", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)

    session = new_session(fast_settings("https://grafana.example", **flags))

    assert session.trust_env is False  # no per-request scan of os.environ
    assert {k: v for k, v in session.proxies.items() if k in ("http", "https")} == proxies
    assert session.verify == verify


def test_every_request_carries_the_timeout(grafana):
    grafana.inject("slow", 1, method="GET", path="/api/health")
    settings = fast_settings(grafana.url)
    with GrafanaClient(settings) as client:
        assert client.health()["database"] == "ok"
    # one slow answer timed out and was retried: two requests for one call
    assert grafana.count("GET", "/api/health") == 2
