"""Push and diff through Grafana's resource API (`/apis`): detection, namespaces, schema v2,
optimistic concurrency, strictness, and convergence under faults, against the stand-in."""

from __future__ import annotations

import copy
import itertools
import json
import socket
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from grafana_testdata import (
    ADMIN_TOKEN,
    BUILD,
    fast_settings,
    holds_build,
    small_dashboard,
    summary_counts,
    write_build,
)
from standin import GrafanaStandIn

from generator.grafana import state
from generator.grafana.backends import connect
from generator.grafana.client import GrafanaClient
from generator.grafana.plan import compute_plan
from generator.grafana.publish import Result, publish
from generator.outputs.built import BuiltDashboard

EXPECTED_API = {
    "grafana11": "legacy /api",
    "grafana12": "dashboard.grafana.app/v1beta1 (namespace default)",
    "grafana13": "dashboard.grafana.app/v1 (namespace default)",
}


def test_auto_picks_the_best_classic_api_and_says_so(meshdash, grafana, build_dir):
    run = meshdash("push", "--from", str(build_dir), "--format", "json")

    assert run.code == 0, run.err
    assert json.loads(run.out)["api"] == EXPECTED_API[grafana.mode.name]
    assert not any("/v2" in path for _method, path in grafana.requests)  # never the preferred v2
    text = meshdash("push", "--from", str(build_dir))
    assert f"through {EXPECTED_API[grafana.mode.name]}" in text.out


def test_api_apis_on_a_legacy_only_grafana_is_a_setup_error(meshdash, grafana, build_dir):
    run = meshdash("push", "--from", str(build_dir), "--api", "apis")

    if grafana.mode.name == "grafana11":
        assert run.code == 2 and "Grafana 12 or later" in run.err and "--api legacy" in run.err
        assert grafana.writes == 0
    else:
        assert run.code == 0, run.err


def test_api_legacy_publishes_through_api_on_every_release(meshdash, grafana, build_dir):
    run = meshdash("push", "--from", str(build_dir), "--api", "legacy")

    assert run.code == 0, run.err
    assert grafana.count("POST", "/api/dashboards/db") == 3
    assert not any(path.startswith("/apis") for _m, path in grafana.requests)


@pytest.fixture
def g13() -> Iterator[GrafanaStandIn]:
    standin = GrafanaStandIn(
        tokens={ADMIN_TOKEN: "Admin"}, orgs=frozenset({1, 2}), mode="grafana13"
    )
    standin.start()
    yield standin
    standin.stop()


def test_org_id_selects_the_org_namespace_and_an_unknown_namespace_is_refused(
    meshdash, g13, build_dir
):
    url = ["--url", g13.url]
    assert meshdash("push", "--from", str(build_dir), *url, "--org-id", "2").code == 0
    assert g13.count("GET", "/apis/dashboard.grafana.app/v1/namespaces/org-2/dashboards") == 1

    run = meshdash("push", "--from", str(build_dir), *url, "--namespace", "stacks-99")

    assert run.code == 2
    assert "403" in run.err and "stacks-99" in run.err
    assert len(run.err.strip().splitlines()) == 1


def test_no_change_push_on_apis_is_one_list_and_no_write(meshdash, g13, build_dir):
    url = ["--url", g13.url]
    assert meshdash("push", "--from", str(build_dir), *url).code == 0
    before, writes = copy.deepcopy(g13.requests), g13.writes

    run = meshdash("push", "--from", str(build_dir), *url)

    assert run.code == 0 and summary_counts(run.out)["unchanged"] == 3
    sent = g13.requests - before
    # the LIST's first page proves v1: no discovery request on Grafana 13
    assert dict(sent) == {
        ("GET", "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"): 1
    }
    assert g13.writes == writes


LIST = "/apis/dashboard.grafana.app/{}/namespaces/default/dashboards"
DETECTION = {  # no discovery request: a classic version's LIST page proves it is served
    "grafana13": {LIST.format("v1"): 1},
    "grafana12": {LIST.format("v1"): 1, LIST.format("v1beta1"): 1},
    "grafana11": {LIST.format("v1"): 1, LIST.format("v1beta1"): 1, "/api/health": 1},
}


def test_auto_probes_the_classic_lists_best_first_and_asks_no_discovery(
    meshdash, grafana, build_dir
):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    before = copy.deepcopy(grafana.requests)

    assert meshdash("push", "--from", str(build_dir)).code == 0

    sent = grafana.requests - before
    asked = {path: n for (method, path), n in sent.items() if path.startswith(("/apis", "/api/h"))}
    assert asked == DETECTION[grafana.mode.name]


def test_short_pages_are_followed_and_every_ui_edit_is_reported(meshdash, g13, build_dir):
    url = ["--url", g13.url]
    assert meshdash("push", "--from", str(build_dir), *url).code == 0
    g13.max_page_bytes = 1  # one dashboard per page, each page still says continue
    g13.edit_in_ui("meshdash-listener", lambda d: d.update(description="by hand"))

    run = meshdash("diff", "--from", str(build_dir), *url)

    assert "=== meshdash-listener (drifted)" in run.out and "by hand" in run.out
    assert g13.count("GET", "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards") == 4
    assert not [p for (m, p) in g13.requests if m == "GET" and p.endswith("/meshdash-listener")]


@pytest.mark.parametrize("api", ["apis", "legacy"])
def test_schema_v2_dashboard_is_drifted_until_force_replaces_it(meshdash, g13, build_dir, api):
    url = ["--url", g13.url, "--api", api]
    assert meshdash("push", "--from", str(build_dir), *url).code == 0
    g13.edit_in_ui("meshdash-service", lambda d: d.update(title="Edited"), schema_v2=True)

    refused = meshdash("push", "--from", str(build_dir), *url)

    assert refused.code == 1 and "schema v2" in refused.out
    assert g13.dashboards["meshdash-service"].schema_v2

    forced = meshdash("push", "--from", str(build_dir), *url, "--force")

    assert forced.code == 0, forced.out + forced.err
    stored = g13.dashboards["meshdash-service"]
    assert not stored.schema_v2 and holds_build(stored, BUILD["meshdash-service"])
    again = meshdash("push", "--from", str(build_dir), *url)
    assert summary_counts(again.out)["unchanged"] == 3


def test_edit_between_plan_and_put_is_a_409_reported_as_drifted(g13):
    want = BuiltDashboard(
        "meshdash-service", "Service overview", None, Path("t"), BUILD["meshdash-service"]
    )
    with GrafanaClient(fast_settings(g13.url)) as client:
        backend = connect(client, "auto", namespace=None, org_id=None)
        publish(backend, compute_plan(backend, [want]), message="m")
        changed = replace(want, data={**want.data, "description": "new"})
        plan = compute_plan(backend, [changed])
        g13.edit_in_ui(want.uid, lambda d: d.update(description="edited meanwhile"))

        (outcome,) = publish(backend, plan, message="m")

    assert outcome.result is Result.DRIFTED and "nothing was overwritten" in outcome.message
    assert g13.dashboard(want.uid)["description"] == "edited meanwhile"


def test_status_errors_are_one_line_with_reason_and_message(meshdash, grafana, build_dir):
    grafana.seed_dashboard(state.stamp(BUILD["meshdash-service"]), provisioned=True)
    changed = copy.deepcopy(BUILD)
    changed["meshdash-service"]["description"] = "from the build"
    write_build(build_dir, changed)

    run = meshdash("push", "--from", str(build_dir), "--force")

    assert run.code == 1
    (line,) = [ln for ln in run.out.splitlines() if ln.startswith("failed: meshdash-service")]
    assert "provisioned" in line.lower() and "400" in line
    if grafana.mode.serves_apis:
        assert "BadRequest" in line
    assert grafana.dashboard("meshdash-service").get("description") is None


@pytest.mark.parametrize(
    ("uid", "flags"),
    [("x" * 41, []), ("bad/uid", []), ("meshdash-service", ["--message", "m" * 501])],
)
def test_uids_and_messages_grafana_would_refuse_stop_before_any_write(
    meshdash, grafana, tmp_path, uid, flags
):
    folder = write_build(tmp_path / "in", {"d": small_dashboard(uid, "T", "up")})

    run = meshdash("push", "--from", str(folder), *flags)

    assert run.code == 2
    assert ("uid" in run.err and uid in run.err) or "500" in run.err
    assert not [m for (m, _p) in grafana.requests if m != "GET"] and grafana.writes == 0
    if flags:  # the message is checked before Grafana is even asked
        assert sum(grafana.requests.values()) == 0


CHAOS_BUILD = {
    f"chaos-{n:03}": small_dashboard(f"chaos-{n:03}", f"Chaos {n}", "up") for n in range(200)
}


def test_under_faults_every_run_makes_progress_and_three_runs_converge(meshdash, grafana, tmp_path):
    folder = write_build(tmp_path / "chaos", CHAOS_BUILD)
    grafana.chaos(fail_rate=0.3, reset_rate=0.1, seed=13)
    args = ["push", "--from", str(folder), "--parallel", "8"]

    codes, stored = [], []
    for _ in range(3):
        run = meshdash(*args)
        codes.append(run.code)
        done = [uid for uid, data in CHAOS_BUILD.items() if uid in grafana.dashboards
                and holds_build(grafana.dashboards[uid], data)]  # fmt: skip
        stored.append(len(done))
        if run.code != 0:  # work left undone is never a success
            assert len(done) < 200 or "failed" in run.out + run.err

    assert all(grafana.fired[kind] for kind in ("503", "reset", "reset-after-apply"))
    assert stored[0] >= 100
    assert stored[-1] == 200
    assert all(a <= b for a, b in itertools.pairwise(stored))
    for uid, data in CHAOS_BUILD.items():
        assert holds_build(grafana.dashboards[uid], data), uid


def test_replayed_update_after_a_lost_answer_is_recognised_as_its_own_write(
    meshdash, grafana, paths, build_dir
):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    changed = copy.deepcopy(BUILD)
    changed["meshdash-service"]["description"] = "new"
    write_build(build_dir, changed)
    grafana.inject("reset-after-apply", 1, method=paths.update[0], path=paths.update[1])

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 0, run.out + run.err
    assert summary_counts(run.out)["updated"] == 1 and summary_counts(run.out)["drifted"] == 0
    assert grafana.dashboards["meshdash-service"].version == 2
    assert holds_build(grafana.dashboards["meshdash-service"], changed["meshdash-service"])


def test_dashboards_tagged_by_a_legacy_push_are_recognised_on_apis(meshdash, g13, build_dir):
    url = ["--url", g13.url]
    assert meshdash("push", "--from", str(build_dir), *url, "--api", "legacy").code == 0
    writes = g13.writes

    same = meshdash("push", "--from", str(build_dir), *url, "--api", "apis")

    assert same.code == 0 and summary_counts(same.out)["unchanged"] == 3
    assert g13.writes == writes
    g13.edit_in_ui("meshdash-upstream", lambda d: d.update(description="by hand"))
    edited = meshdash("push", "--from", str(build_dir), *url, "--api", "apis")
    assert edited.code == 1 and summary_counts(edited.out)["drifted"] == 1


def test_an_instance_that_drops_custom_annotations_is_named_not_silently_drifting(
    meshdash, g13, build_dir
):
    g13.drop_custom_annotations = True

    run = meshdash("push", "--from", str(build_dir), "--url", g13.url)

    assert run.code == 1
    assert run.out.count("dropped meshdash's meshdash.dev/content-hash annotation") == 3
    assert "--api legacy" in run.out
    legacy = ["push", "--from", str(build_dir), "--url", g13.url, "--api", "legacy"]
    assert meshdash(*legacy, "--force").code == 0
    again = meshdash(*legacy)
    assert again.code == 0 and summary_counts(again.out)["unchanged"] == 3


def test_a_bad_build_wins_over_an_unreachable_grafana_listed_meanwhile(
    meshdash, tmp_path, monkeypatch
):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("GRAFANA_URL", f"http://127.0.0.1:{port}")

    run = meshdash("push", "--from", str(tmp_path / "nowhere"))

    assert run.code == 2
    assert "meshdash build" in run.err and "connection refused" not in run.err


def test_diff_says_why_a_schema_v2_dashboard_would_not_be_written(meshdash, g13, build_dir):
    url = ["--url", g13.url]
    assert meshdash("push", "--from", str(build_dir), *url).code == 0
    g13.edit_in_ui("meshdash-service", lambda d: d.update(title="Edited"), schema_v2=True)

    run = meshdash("diff", "--from", str(build_dir), *url, "--exit-code")

    assert run.code == 1
    head, reason = run.out.splitlines()[:2]
    assert head == "=== meshdash-service (drifted)"
    assert reason.startswith("# stored as schema v2") and "--force" in reason
