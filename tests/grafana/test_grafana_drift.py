"""The planner judges drift (plan.drifted); the client only reports what Grafana holds."""

from __future__ import annotations

import hashlib
import json

import pytest

from generator.grafana import state
from generator.grafana.client import RemoteDashboard
from generator.grafana.folders import uid_for
from generator.grafana.plan import Action, classify, drifted
from generator.grafana.source import from_files

BODY = {"uid": "svc", "title": "Service", "panels": [], "tags": ["meshdash"]}


def remote(dashboard: dict, **extra: object) -> RemoteDashboard:
    return RemoteDashboard("svc", dashboard, "", 1, "http://g/d/svc", **extra)  # type: ignore[arg-type]


def sha256_of(dashboard: dict) -> str:
    """An independent oracle: sorted compact JSON without id/version and the hash tag."""
    clean = {k: v for k, v in dashboard.items() if k not in ("id", "version", "iteration")}
    clean["tags"] = [t for t in clean["tags"] if not t.startswith("meshdash-hash:")]
    text = json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


def test_a_stamped_dashboard_is_not_drifted_until_edited() -> None:
    stamped = state.stamp(BODY)
    assert stamped["tags"][-1] == "meshdash-hash:" + sha256_of(BODY)[:12]
    assert not drifted(remote(stamped))
    assert drifted(remote({**stamped, "title": "Edited in the UI"}))


def test_a_managed_tag_without_a_hash_proves_nothing_and_counts_as_drifted() -> None:
    assert drifted(remote(BODY))


@pytest.mark.parametrize(("annotation", "expected"), [(sha256_of(BODY), False), ("0" * 64, True)])
def test_the_resource_api_annotation_is_compared_whole(annotation: str, expected: bool) -> None:
    assert drifted(remote(BODY, recorded_hash=annotation)) is expected


def test_a_schema_v2_dashboard_is_always_drifted() -> None:
    assert drifted(remote({}, schema_v2=True))
    assert not hasattr(RemoteDashboard, "drifted")


def test_a_plan_reason_names_its_setting_and_push_adds_the_flag(meshdash, grafana, build_dir):
    want = next(w for w in from_files(build_dir) if w.uid == "meshdash-service")
    edited = {**want.stamped, "description": "edited in the UI"}
    change = classify(want, RemoteDashboard(want.uid, edited, uid_for(want.folder), 1, "u"))
    assert (change.action, change.setting) == (Action.DRIFTED, "force")
    assert "--" not in change.reason  # the library names the setting in its own words
    assert meshdash("push", "--from", str(build_dir)).code == 0
    grafana.edit_in_ui("meshdash-service", lambda d: d.update(description="edited in the UI"))

    planned = meshdash("push", "--from", str(build_dir), "--dry-run", "--format", "json")
    forced = meshdash("push", "--from", str(build_dir), "--force")

    reasons = {d["uid"]: d["reason"] for d in json.loads(planned.out)["dashboards"]}
    assert planned.code == 1 and reasons["meshdash-service"] == f"{change.reason} (--force)"
    assert (
        forced.code == 0 and "(overwrites edits made in Grafana, as forced (--force))" in forced.out
    )
