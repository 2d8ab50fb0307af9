"""`meshdash push --no-refresh`: plan from the search's hash tags, read only what may differ.

The hash tags and the search are the legacy API's; on the resource API the LIST carries
every spec, so --no-refresh has nothing to skip (the last test shows it changes nothing).
"""

from __future__ import annotations

import copy
from collections.abc import Iterator
from pathlib import Path

import pytest
from grafana_testdata import ADMIN_TOKEN, BUILD, summary_counts, write_build
from standin import GrafanaStandIn

from generator.grafana import state
from generator.grafana.folders import folder_uid
from generator.grafana.plan import Action, unchanged_by_tag
from generator.outputs.built import BuiltDashboard

SEARCH = ("GET", "/api/search")


@pytest.fixture
def grafana() -> Iterator[GrafanaStandIn]:
    """The legacy-only stand-in (Grafana 11): --no-refresh's trade-off exists only there."""
    with GrafanaStandIn(tokens={ADMIN_TOKEN: "Admin"}, mode="grafana11") as standin:
        yield standin


def test_no_refresh_on_the_resource_api_still_reports_a_ui_edit(meshdash, build_dir):
    with GrafanaStandIn(tokens={ADMIN_TOKEN: "Admin"}, mode="grafana13") as g13:
        url = ["--url", g13.url]
        assert meshdash("push", "--from", str(build_dir), *url).code == 0
        g13.edit_in_ui("meshdash-service", lambda d: d.update(description="by hand"))
        before = sum(g13.requests.values())

        run = meshdash("push", "--from", str(build_dir), "--no-refresh", *url)

        assert run.code == 1 and summary_counts(run.out)["drifted"] == 1
        assert "meshdash-service" in run.err
        assert sum(g13.requests.values()) - before == 1  # one LIST page, which proves v1
        assert g13.dashboard("meshdash-service")["description"] == "by hand"


READ_PREFIX = "/api/dashboards/uid/"


def reads(grafana) -> dict[str, int]:
    """GETs of single dashboards so far, by uid."""
    return {
        path.removeprefix(READ_PREFIX): n
        for (method, path), n in grafana.requests.items()
        if method == "GET" and path.startswith(READ_PREFIX)
    }


def snapshot(grafana):
    return copy.deepcopy(grafana.requests), grafana.writes


def since(grafana, before) -> tuple[dict[str, int], int, int]:
    """(dashboard GETs by uid, search requests, writes) since ``before``."""
    requests, writes = before
    now = reads(grafana)
    old = {p.removeprefix(READ_PREFIX): n for (m, p), n in requests.items() if m == "GET"}
    got = {uid: n - old.get(uid, 0) for uid, n in now.items() if n - old.get(uid, 0)}
    return got, grafana.requests[SEARCH] - requests[SEARCH], grafana.writes - writes


def changed_build(uid: str) -> dict[str, dict]:
    changed = copy.deepcopy(BUILD)
    changed[uid]["panels"][0]["title"] = "Changed in the build"
    return changed


def test_no_change_push_reads_no_dashboard_and_writes_nothing(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    before = snapshot(grafana)

    run = meshdash("push", "--from", str(build_dir), "--no-refresh")

    assert run.code == 0, run.err
    assert since(grafana, before) == ({}, 1, 0)  # one search page, no GET, no write
    assert summary_counts(run.out)["unchanged"] == 3
    assert "(not read: hash tag matches the build (--no-refresh))" in run.out


def test_build_change_reads_and_writes_only_the_changed_dashboard(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    write_build(build_dir, changed_build("meshdash-upstream"))
    before = snapshot(grafana)

    run = meshdash("push", "--from", str(build_dir), "--no-refresh")

    assert run.code == 0, run.err
    assert since(grafana, before) == ({"meshdash-upstream": 1}, 1, 1)
    stored = grafana.dashboard("meshdash-upstream")
    assert stored["panels"][0]["title"] == "Changed in the build" and stored["version"] == 2
    assert (summary_counts(run.out)["updated"], summary_counts(run.out)["unchanged"]) == (1, 2)


def test_edit_of_a_changed_definition_is_still_drifted_and_kept(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    grafana.edit_in_ui("meshdash-service", lambda d: d["panels"][0].update(title="Hand edit"))
    write_build(build_dir, changed_build("meshdash-service"))
    writes = grafana.writes

    run = meshdash("push", "--from", str(build_dir), "--no-refresh")

    assert run.code == 1
    assert summary_counts(run.out)["drifted"] == 1 and "meshdash-service" in run.err
    assert grafana.dashboard("meshdash-service")["panels"][0]["title"] == "Hand edit"
    assert grafana.writes == writes


def test_edit_of_an_unchanged_definition_is_the_documented_blind_spot(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    grafana.edit_in_ui("meshdash-service", lambda d: d["panels"][0].update(title="Hand edit"))
    edited = grafana.dashboard("meshdash-service")
    before = snapshot(grafana)

    quick = meshdash("push", "--from", str(build_dir), "--no-refresh")

    assert quick.code == 0, quick.err
    assert since(grafana, before) == ({}, 1, 0)
    assert grafana.dashboard("meshdash-service") == edited  # left untouched, not reported
    assert summary_counts(quick.out)["drifted"] == 0

    full = meshdash("push", "--from", str(build_dir))

    assert full.code == 1
    assert summary_counts(full.out)["drifted"] == 1 and "meshdash-service" in full.err
    assert grafana.dashboard("meshdash-service") == edited


@pytest.mark.parametrize(
    ("prepare", "expected", "count"),
    [
        # a dashboard the build adds: not in the search, so created without a read
        ("new", "created", 1),
        # every dashboard moves folder: the hash matches, the folder does not
        ("folder", "updated", 3),
        # a managed dashboard without a hash tag: read, and found to hold the build's content
        ("no-hash", "unchanged", 3),
    ],
)
def test_dashboards_not_proven_unchanged_are_read(
    meshdash, grafana, build_dir, prepare, expected, count
):
    uid = "meshdash-listener"
    extra: list[str] = []
    if prepare == "new":
        write_build(build_dir, {k: v for k, v in BUILD.items() if k != uid})
    assert meshdash("push", "--from", str(build_dir)).code == 0
    if prepare == "new":
        write_build(build_dir, BUILD)
    elif prepare == "folder":
        extra = ["--folder", "Mesh"]
    else:
        grafana.edit_in_ui(uid, lambda d: d.update(tags=["meshdash", "consul"]))
    before = snapshot(grafana)

    run = meshdash("push", "--from", str(build_dir), "--no-refresh", *extra)

    got, searches, _ = since(grafana, before)
    assert searches == 1
    assert run.code == 0, run.err
    assert summary_counts(run.out)[expected] == count
    reads = {"new": {}, "folder": {u: 1 for u in BUILD}, "no-hash": {uid: 1}}
    assert got == reads[prepare]


def test_prune_uses_the_same_search_and_reads_only_the_removed(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    write_build(build_dir, {k: v for k, v in BUILD.items() if k != "meshdash-listener"})
    before = snapshot(grafana)

    run = meshdash("push", "--from", str(build_dir), "--no-refresh", "--prune")

    assert run.code == 0, run.err
    assert since(grafana, before) == ({"meshdash-listener": 1}, 1, 1)
    assert "meshdash-listener" not in grafana.dashboards


@pytest.mark.parametrize("flag", ["--force", "--adopt"])
def test_no_refresh_with_force_or_adopt_is_a_usage_error(meshdash, grafana, build_dir, flag):
    run = meshdash("push", "--from", str(build_dir), "--no-refresh", flag)

    assert run.code == 2
    assert "--no-refresh" in run.err and flag in run.err
    assert sum(grafana.requests.values()) == 0


WANT = BuiltDashboard("d", "D", "Mesh", Path("test"), BUILD["meshdash-service"])
TAG = state.HASH_TAG_PREFIX + WANT.fingerprint[: state.HASH_LENGTH]


@pytest.mark.parametrize(
    ("hit", "unchanged"),
    [
        (None, False),
        ({"uid": "d", "tags": ["meshdash", TAG], "folderUid": folder_uid("Mesh")}, True),
        ({"uid": "d", "tags": ["meshdash", TAG]}, False),  # in General, not in Mesh
        ({"uid": "d", "tags": ["meshdash"], "folderUid": folder_uid("Mesh")}, False),
        (
            {"uid": "d", "tags": ["meshdash", TAG[:-1] + "x"], "folderUid": folder_uid("Mesh")},
            False,
        ),
    ],
)
def test_unchanged_by_tag_needs_the_builds_hash_and_folder(hit, unchanged):
    change = unchanged_by_tag(WANT, hit)
    assert (change is not None and change.action is Action.UNCHANGED) is unchanged
