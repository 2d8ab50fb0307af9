"""Pure parts: normalization, hash tags, the per-dashboard decision, folder uids, settings."""

from __future__ import annotations

import copy
import subprocess
from dataclasses import replace
from pathlib import Path

import pytest
from grafana_testdata import BUILD

from generator.errors import ConfigError
from generator.grafana import state
from generator.grafana.client import RemoteDashboard
from generator.grafana.folders import folder_chain, folder_uid, split_path
from generator.grafana.plan import Action, classify, classify_removed
from generator.grafana.provenance import version_message
from generator.grafana.settings import load_credentials, settings_from
from generator.http import Secret
from generator.outputs.built import BuiltDashboard

BASE = BUILD["meshdash-service"]
WANT = BuiltDashboard("meshdash-service", "Service overview", None, Path("test"), BASE)


def remote(dashboard: dict, folder_uid: str = "", version: int = 3) -> RemoteDashboard:
    held = dict(dashboard, id=7, version=version)
    return RemoteDashboard("meshdash-service", held, folder_uid, version, "http://g/d/x")


def edited(dashboard: dict) -> dict:
    copy_ = copy.deepcopy(dashboard)
    copy_["panels"][0]["title"] = "edited in the UI"
    return copy_


def other_build() -> dict:
    changed = copy.deepcopy(BASE)
    changed["panels"][0]["targets"][0]["expr"] = "sum(up)"
    return changed


STAMPED = state.stamp(BASE)
UNMANAGED = {k: v for k, v in BASE.items() if k != "tags"} | {"tags": ["team"]}


@pytest.mark.parametrize(
    ("held", "want_data", "flags", "action"),
    [
        (None, BASE, {}, Action.CREATE),
        (STAMPED, BASE, {}, Action.UNCHANGED),
        (STAMPED, other_build(), {}, Action.UPDATE),
        (edited(STAMPED), BASE, {}, Action.DRIFTED),
        (edited(STAMPED), BASE, {"force": True}, Action.UPDATE),
        (edited(BASE), BASE, {}, Action.DRIFTED),  # managed tag, no hash: unproven
        (UNMANAGED, BASE, {}, Action.UNMANAGED),
        (UNMANAGED, BASE, {"force": True}, Action.UNMANAGED),
        (UNMANAGED, BASE, {"adopt": True}, Action.UPDATE),
    ],
)
def test_classify(held, want_data, flags, action):
    want = replace(WANT, data=want_data)
    change = classify(want, None if held is None else remote(held), **flags)
    assert change.action is action


def test_same_content_in_another_folder_is_a_move():
    change = classify(WANT, remote(STAMPED, folder_uid="elsewhere"))
    assert change.action is Action.UPDATE and "moves to folder" in change.reason


def test_removed_dashboard_is_deleted_unless_edited_in_grafana():
    assert classify_removed(remote(STAMPED)).action is Action.DELETE
    assert classify_removed(remote(edited(STAMPED))).action is Action.DRIFTED
    assert classify_removed(remote(edited(STAMPED)), force=True).action is Action.DELETE


def test_normalize_drops_grafana_owned_fields_and_the_hash_tag():
    held = dict(STAMPED, id=12, version=9, iteration=1700000000)
    assert state.normalize(held) == state.normalize(BASE | {"tags": [*BASE["tags"]]})
    assert "id" not in state.normalize(held) and "version" not in state.normalize(held)


def short_hash(dashboard: dict) -> str:
    """The ``meshdash-hash:`` tag's value: the content fingerprint's first hex digits."""
    return state.fingerprint(dashboard)[: state.HASH_LENGTH]


def test_stamp_is_stable_and_the_hash_follows_the_content():
    assert state.stamp(STAMPED) == STAMPED
    assert state.recorded_hash(STAMPED) == short_hash(BASE)
    assert short_hash(other_build()) != short_hash(BASE)
    assert not state.is_drifted(STAMPED) and state.is_drifted(edited(STAMPED))
    assert state.stamp({"uid": "x", "title": "t"})["tags"][0] == "meshdash"  # the documented tag


@pytest.mark.parametrize(
    ("path", "parts"),
    [
        (None, []),
        ("", []),
        ("General", []),
        ("Service Mesh", ["Service Mesh"]),
        (" Platform / Service Mesh ", ["Platform", "Service Mesh"]),
    ],
)
def test_split_path(path, parts):
    assert split_path(path) == parts


def test_empty_folder_path_part_is_a_config_error():
    with pytest.raises(ConfigError, match="'A//B'"):
        split_path("A//B")


def test_folder_uids_are_stable_short_and_chained():
    chain = folder_chain("Platform/Service Mesh")
    assert [ref.title for ref in chain] == ["Platform", "Service Mesh"]
    assert chain[0].parent_uid is None and chain[1].parent_uid == chain[0].uid
    assert chain[1].uid == folder_uid("Platform / Service Mesh")
    assert folder_uid("Service Mesh") != chain[1].uid
    assert all(len(ref.uid) <= 40 for ref in chain)


def test_credentials_precedence(tmp_path: Path):
    token_file = tmp_path / "t"
    token_file.write_text("from-file\n")
    env = {"GRAFANA_TOKEN": "from-env", "GRAFANA_USER": "u", "GRAFANA_PASSWORD": "p"}
    assert load_credentials(env, token_file).token == Secret("from-file")
    assert load_credentials(env, None).token == Secret("from-env")
    basic = load_credentials({"GRAFANA_USER": "u", "GRAFANA_PASSWORD": "p"}, None)
    assert (basic.user, basic.password) == ("u", Secret("p"))
    assert load_credentials({}, None) is None


@pytest.mark.parametrize(
    ("env", "flags", "needle"),
    [
        ({}, {}, "GRAFANA_URL"),
        ({"GRAFANA_URL": "ftp://x"}, {}, "http(s)"),
        ({"GRAFANA_URL": "http://x", "GRAFANA_USER": "u"}, {}, "GRAFANA_PASSWORD"),
        (
            {"GRAFANA_URL": "http://x", "GRAFANA_TOKEN": "t"},
            {"insecure": True, "ca_cert": Path(__file__)},
            "contradict",
        ),
        (
            {"GRAFANA_URL": "http://x", "GRAFANA_TOKEN": "t"},
            {"ca_cert": Path("/nope.pem")},
            "CA certificate /nope.pem does not exist",
        ),
    ],
)
def test_settings_errors_say_what_to_set(env, flags, needle):
    with pytest.raises(ConfigError, match=needle):
        settings_from(env, **flags)


def test_version_message_names_commit_and_branch(tmp_path: Path):
    def git(*args: str) -> str:
        done = subprocess.run(
            ["git", *args], cwd=tmp_path, check=True, capture_output=True, text=True
        )
        return done.stdout.strip()

    assert version_message(tmp_path, env={}) == "meshdash push"
    git("init", "-q", "-b", "release")
    (tmp_path / "f").write_text("x")
    git("add", "f")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-q", "-m", "c")
    sha = git("rev-parse", "--short=12", "HEAD")
    assert version_message(tmp_path, env={}) == f"meshdash {sha} (release)"
    git("checkout", "-q", "--detach")
    assert version_message(tmp_path, env={"GITHUB_REF_NAME": "main"}) == f"meshdash {sha} (main)"
