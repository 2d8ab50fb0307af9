"""`meshdash push` end to end against the loopback Grafana stand-in."""

from __future__ import annotations

import copy
import json

from grafana_testdata import (
    ADMIN_PASSWORD,
    ADMIN_TOKEN,
    ADMIN_USER,
    BUILD,
    holds_build,
    recorded_provenance,
    summary_counts,
    write_build,
)

from generator.grafana import state
from generator.grafana.folders import folder_uid

SAVE = ("POST", "/api/dashboards/db")


def test_first_push_creates_every_dashboard_with_managed_tag_and_provenance(
    meshdash, grafana, paths, build_dir
):
    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 0, run.err
    assert sorted(grafana.dashboards) == sorted(BUILD)
    assert grafana.writes == 3
    for uid, data in BUILD.items():
        stored = grafana.dashboards[uid]
        assert stored.version == 1
        assert state.is_managed(stored.dashboard)
        assert holds_build(stored, data)
        assert (
            recorded_provenance(stored) == state.fingerprint(state.stamp(data))[: state.HASH_LENGTH]
        )
        # on the resource API provenance is an annotation, not a tag
        assert (state.recorded_hash(stored.dashboard) is None) is not paths.legacy
    assert summary_counts(run.out)["created"] == 3


def test_second_push_of_the_same_build_writes_nothing(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    writes, posts = grafana.writes, grafana.count(*SAVE)

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 0, run.err
    assert (grafana.writes, grafana.count(*SAVE)) == (writes, posts)
    assert summary_counts(run.out)["unchanged"] == 3


def test_changing_one_panel_makes_exactly_one_write(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    changed = copy.deepcopy(BUILD)
    changed["meshdash-upstream"]["panels"][0]["title"] = "Requests per second"
    write_build(build_dir, changed)
    writes = grafana.writes

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 0, run.err
    assert grafana.writes == writes + 1
    stored = grafana.dashboard("meshdash-upstream")
    assert stored["version"] == 2
    assert stored["panels"][0]["title"] == "Requests per second"
    assert grafana.dashboard("meshdash-service")["version"] == 1


def test_edit_in_grafana_is_drifted_and_kept_until_force(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    grafana.edit_in_ui("meshdash-service", lambda d: d["panels"][0].update(title="Hand edit"))
    changed = copy.deepcopy(BUILD)
    changed["meshdash-service"]["panels"][0]["title"] = "From the build"
    write_build(build_dir, changed)

    refused = meshdash("push", "--from", str(build_dir))

    assert refused.code == 1
    assert "meshdash-service" in refused.err and "--force" in refused.err
    assert grafana.dashboard("meshdash-service")["panels"][0]["title"] == "Hand edit"
    assert summary_counts(refused.out)["drifted"] == 1

    forced = meshdash("push", "--from", str(build_dir), "--force")

    assert forced.code == 0, forced.err
    stored = grafana.dashboard("meshdash-service")
    assert stored["panels"][0]["title"] == "From the build"
    again = meshdash("push", "--from", str(build_dir))
    assert again.code == 0 and summary_counts(again.out)["unchanged"] == 3


def test_prune_deletes_only_managed_dashboards_gone_from_the_build(meshdash, grafana, build_dir):
    grafana.seed_dashboard({"uid": "hand-made", "title": "Hand made", "tags": ["team"]})
    assert meshdash("push", "--from", str(build_dir)).code == 0
    kept = {k: v for k, v in BUILD.items() if k != "meshdash-listener"}
    write_build(build_dir, kept)

    without_prune = meshdash("push", "--from", str(build_dir))
    assert without_prune.code == 0
    assert "meshdash-listener" in grafana.dashboards

    run = meshdash("push", "--from", str(build_dir), "--prune")

    assert run.code == 0, run.err
    assert sorted(grafana.dashboards) == sorted([*kept, "hand-made"])
    assert summary_counts(run.out)["deleted"] == 1


def test_prune_refuses_to_delete_a_drifted_dashboard_without_force(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    grafana.edit_in_ui("meshdash-listener", lambda d: d.update(description="kept by hand"))
    write_build(build_dir, {k: v for k, v in BUILD.items() if k != "meshdash-listener"})

    refused = meshdash("push", "--from", str(build_dir), "--prune")
    assert refused.code == 1
    assert "meshdash-listener" in grafana.dashboards

    forced = meshdash("push", "--from", str(build_dir), "--prune", "--force")
    assert forced.code == 0, forced.err
    assert "meshdash-listener" not in grafana.dashboards


def test_unmanaged_dashboard_with_same_uid_needs_adopt(meshdash, grafana, build_dir):
    grafana.seed_dashboard({"uid": "meshdash-service", "title": "Theirs", "tags": ["team"]})

    refused = meshdash("push", "--from", str(build_dir))

    assert refused.code == 1
    assert "--adopt" in refused.out and "meshdash-service" in refused.err
    assert grafana.dashboard("meshdash-service")["title"] == "Theirs"
    assert "meshdash-upstream" in grafana.dashboards  # the others still went through

    adopted = meshdash("push", "--from", str(build_dir), "--adopt")

    assert adopted.code == 0, adopted.err
    stored = grafana.dashboard("meshdash-service")
    assert stored["title"] == "Service overview" and state.is_managed(stored)
    assert stored["version"] == 2


def test_dry_run_prints_the_plan_and_writes_nothing(meshdash, grafana, build_dir):
    run = meshdash("push", "--from", str(build_dir), "--dry-run", "--folder", "Service Mesh")

    assert run.code == 0, run.err
    assert grafana.writes == 0 and grafana.count(*SAVE) == 0
    assert "create    folder 'Service Mesh'" in run.out
    assert run.out.count("  create    meshdash-") == 3
    assert "4 write(s)" in run.out


def test_dry_run_json_and_push_json_are_machine_readable(meshdash, grafana, build_dir):
    planned = json.loads(
        meshdash("push", "--from", str(build_dir), "--dry-run", "--format", "json").out
    )
    assert planned["summary"]["create"] == 3 and planned["writes"] == 3

    pushed = meshdash("push", "--from", str(build_dir), "--format", "json")
    body = json.loads(pushed.out)
    assert body["summary"] == {
        "created": 3,
        "updated": 0,
        "unchanged": 0,
        "drifted": 0,
        "deleted": 0,
        "failed": 0,
    }
    assert {d["uid"] for d in body["dashboards"]} == set(BUILD)


def test_nested_folder_is_created_once_with_parent_uid(meshdash, grafana, paths, build_dir):
    run = meshdash("push", "--from", str(build_dir), "--folder", "Platform/Service Mesh")

    assert run.code == 0, run.err
    parent, child = folder_uid("Platform"), folder_uid("Platform/Service Mesh")
    assert grafana.folders[parent]["title"] == "Platform"
    assert grafana.folders[child]["parentUid"] == parent
    assert {s.folder_uid for s in grafana.dashboards.values()} == {child}
    writes = grafana.writes

    again = meshdash("push", "--from", str(build_dir), "--folder", "Platform/Service Mesh")
    assert again.code == 0 and grafana.writes == writes
    assert grafana.count(*paths.folder_create) == 2


def test_folder_comes_from_the_subfolder_of_from_dir(meshdash, grafana, tmp_path):
    root = tmp_path / "tree"
    write_build(
        root / "Service Mesh", {"meshdash-service": BUILD["meshdash-service"]}, manifest=False
    )
    write_build(root, {"meshdash-upstream": BUILD["meshdash-upstream"]})

    assert meshdash("push", "--from", str(root)).code == 0

    # the folder it landed in, as Grafana holds it (not a uid recomputed by meshdash code)
    placed = grafana.dashboards["meshdash-service"].folder_uid
    assert grafana.folders[placed]["title"] == "Service Mesh"
    assert grafana.folders[placed].get("parentUid") in (None, "")
    assert grafana.dashboards["meshdash-upstream"].folder_uid == ""


def test_moving_a_dashboard_to_another_folder_is_an_update(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    run = meshdash("push", "--from", str(build_dir), "--folder", "Mesh")
    assert run.code == 0, run.err
    assert "moves to folder 'Mesh'" in run.out
    (placed,) = {s.folder_uid for s in grafana.dashboards.values()}
    assert grafana.folders[placed]["title"] == "Mesh"


def test_same_title_in_same_folder_fails_that_dashboard_only(meshdash, grafana, build_dir):
    grafana.seed_dashboard({"uid": "other-uid", "title": "Upstreams", "tags": []})

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 1
    assert "meshdash-upstream" in run.out
    assert "name-exists" in run.out or "same name in the folder" in run.out
    assert "meshdash-upstream" not in grafana.dashboards
    assert {"meshdash-service", "meshdash-listener"} <= set(grafana.dashboards)


def test_version_message_names_where_the_change_came_from(meshdash, grafana, build_dir):
    assert (
        meshdash("push", "--from", str(build_dir), "--message", "meshdash abc123 (main)").code == 0
    )
    assert grafana.dashboards["meshdash-service"].messages == ["meshdash abc123 (main)"]


def test_default_message_outside_git_says_meshdash(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    assert grafana.dashboards["meshdash-service"].messages[0].startswith("meshdash")


def test_diff_shows_changed_lines_and_ignores_grafana_owned_fields(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    same = meshdash("diff", "--from", str(build_dir))
    assert same.code == 0 and "no differences: 3 dashboard(s)" in same.out

    changed = copy.deepcopy(BUILD)
    changed["meshdash-listener"]["panels"][0]["title"] = "Listener requests"
    write_build(build_dir, changed)

    run = meshdash("diff", "--from", str(build_dir), "--exit-code")

    assert run.code == 1
    assert "=== meshdash-listener (update)" in run.out
    assert '-      "title": "Requests",' in run.out
    assert '+      "title": "Listener requests",' in run.out
    assert '"version"' not in run.out and '"id": ' not in run.out.replace('"id": 1', "")
    assert "meshdash-service" not in run.out
    assert grafana.writes == 3


def test_org_id_is_sent_and_an_unknown_org_is_a_config_error(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir), "--org-id", "1").code == 0
    assert set(grafana.org_headers) == {"1"}

    run = meshdash("push", "--from", str(build_dir), "--org-id", "7")
    assert run.code == 2
    assert "401" in run.err


def test_missing_url_or_credentials_exit_2(meshdash, build_dir, monkeypatch):
    monkeypatch.delenv("GRAFANA_URL")
    no_url = meshdash("push", "--from", str(build_dir))
    assert no_url.code == 2 and "GRAFANA_URL" in no_url.err

    monkeypatch.setenv("GRAFANA_URL", "http://127.0.0.1:9")
    monkeypatch.delenv("GRAFANA_TOKEN")
    no_creds = meshdash("push", "--from", str(build_dir))
    assert no_creds.code == 2 and "GRAFANA_TOKEN" in no_creds.err


def test_bad_from_dir_is_a_usage_error(meshdash, tmp_path):
    run = meshdash("push", "--from", str(tmp_path / "nowhere"))
    assert run.code == 2 and "meshdash build" in run.err


def test_token_file_and_basic_auth_work(meshdash, grafana, build_dir, monkeypatch, tmp_path):
    token_file = tmp_path / "token"
    token_file.write_text(ADMIN_TOKEN + "\n")
    monkeypatch.delenv("GRAFANA_TOKEN")
    assert meshdash("push", "--from", str(build_dir), "--token-file", str(token_file)).code == 0

    monkeypatch.setenv("GRAFANA_USER", ADMIN_USER)
    monkeypatch.setenv("GRAFANA_PASSWORD", ADMIN_PASSWORD)
    run = meshdash("push", "--from", str(build_dir))
    assert run.code == 0 and summary_counts(run.out)["unchanged"] == 3
