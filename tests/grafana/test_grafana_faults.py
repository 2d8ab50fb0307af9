"""Push under injected faults: retries succeed or failures are reported; nothing half-applied."""

from __future__ import annotations

import socket

import pytest
from grafana_testdata import BUILD, holds_build, summary_counts, write_build


def assert_intact(grafana) -> None:
    """Every dashboard the stand-in holds is exactly one the build defines, at version 1."""
    for uid, stored in grafana.dashboards.items():
        assert holds_build(stored, BUILD[uid]), uid
        assert stored.version == 1, uid


@pytest.mark.parametrize(
    ("kind", "times", "request_kind"),
    [
        ("503", 2, "create"),
        ("429", 2, "read"),
        ("503", 3, "probe"),
        ("reset", 2, "create"),
        ("reset", 1, "read"),
        ("reset-after-apply", 2, "create"),
        ("slow", 1, "create"),
        ("slow", 1, "read"),
    ],
)
def test_transient_faults_are_retried_and_push_converges(
    meshdash, grafana, paths, build_dir, kind, times, request_kind
):
    method, path = getattr(paths, request_kind)
    if request_kind == "read":  # dashboards are read only when the listing shows them
        assert meshdash("push", "--from", str(build_dir)).code == 0
    grafana.inject(kind, times, method=method, path=path)

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 0, run.out + run.err
    assert grafana.fired == {kind: times}  # each injected fault hit a request
    assert sorted(grafana.dashboards) == sorted(BUILD)
    assert_intact(grafana)
    assert grafana.count(method, path.rstrip("/")) or method == "GET"
    again = meshdash("push", "--from", str(build_dir))
    assert again.code == 0 and summary_counts(again.out)["unchanged"] == 3


def test_reset_after_apply_does_not_write_twice(meshdash, grafana, paths, build_dir):
    grafana.inject("reset-after-apply", 3, method=paths.create[0], path=paths.create[1])

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 0, run.out + run.err
    assert grafana.fired == {"reset-after-apply": 3}
    assert summary_counts(run.out)["created"] == 3
    assert grafana.writes == 3  # each replay got a 412/409, none was applied again
    assert grafana.count(*paths.create) == 6


def test_exhausted_retries_fail_one_dashboard_and_the_others_go_through(
    meshdash, grafana, paths, build_dir
):
    grafana.inject("503", 4, method=paths.create[0], path=paths.create[1])  # 1 try + 3 retries

    run = meshdash("push", "--from", str(build_dir), "--parallel", "1")

    assert run.code == 1
    counts = summary_counts(run.out)
    assert (counts["created"], counts["failed"]) == (2, 1)
    assert "503" in run.out and "after retries" in run.out
    assert_intact(grafana)

    rerun = meshdash("push", "--from", str(build_dir))
    assert rerun.code == 0, rerun.out + rerun.err
    assert sorted(grafana.dashboards) == sorted(BUILD)
    assert_intact(grafana)


def test_persistent_resets_report_every_dashboard_and_apply_nothing(
    meshdash, grafana, paths, build_dir
):
    grafana.inject("reset", 100, method=paths.create[0], path=paths.create[1])

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 1
    assert summary_counts(run.out)["failed"] == 3
    for uid in BUILD:
        assert uid in run.err
    assert grafana.dashboards == {} and grafana.writes == 0


def test_grafana_that_never_answers_in_time_is_unreachable(meshdash, grafana, paths, build_dir):
    grafana.inject("slow", 100, method=paths.probe[0], path=paths.probe[1])

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 2
    assert "did not answer" in run.err and "within 0.3s" in run.err
    assert grafana.writes == 0


def test_connection_refused_is_a_clear_error(meshdash, build_dir, monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setenv("GRAFANA_URL", f"http://127.0.0.1:{port}")

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 2
    assert "connection refused" in run.err and f"127.0.0.1:{port}" in run.err
    assert "Traceback" not in run.err


def test_a_read_that_keeps_failing_fails_that_dashboard_only(meshdash, grafana, build_dir):
    assert meshdash("push", "--from", str(build_dir), "--api", "legacy").code == 0
    changed = {uid: dict(data, description="v2") for uid, data in BUILD.items()}
    write_build(build_dir, changed)
    grafana.inject("503", 4, method="GET", path="/api/dashboards/uid/meshdash-service")

    run = meshdash("push", "--from", str(build_dir), "--api", "legacy")

    assert run.code == 1
    counts = summary_counts(run.out)
    assert (counts["updated"], counts["failed"]) == (2, 1)
    assert "could not be read" in run.out and "meshdash-service" in run.err
    assert grafana.dashboard("meshdash-service").get("description") is None
    assert grafana.dashboard("meshdash-upstream")["description"] == "v2"


def test_the_listing_every_dashboard_depends_on_gets_more_rounds_of_retries(
    meshdash, grafana, paths, build_dir
):
    assert meshdash("push", "--from", str(build_dir)).code == 0
    listing = "/api/search" if paths.legacy else paths.read[1]
    grafana.inject("503", 8, method="GET", path=listing)  # two rounds of 1 try + 3 retries

    run = meshdash("push", "--from", str(build_dir))

    assert run.code == 0, run.out + run.err
    assert summary_counts(run.out)["unchanged"] == 3
    assert grafana.fired == {"503": 8}

    grafana.inject("503", 12, method="GET", path=listing)  # three rounds: the run stops
    failed = meshdash("push", "--from", str(build_dir))
    assert failed.code == 2 and "503" in failed.err
