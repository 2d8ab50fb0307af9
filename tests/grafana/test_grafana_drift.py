"""The planner judges drift (plan.drifted); the client only reports what Grafana holds."""

from __future__ import annotations

import hashlib
import json

import pytest

from generator.grafana import state
from generator.grafana.client import RemoteDashboard
from generator.grafana.plan import drifted

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
