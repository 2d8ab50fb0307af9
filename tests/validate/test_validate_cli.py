"""`meshdash validate` end to end: a backfilled real Prometheus, exit codes, output, secrets."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from generator.sim.prometheus import free_port
from tests.validate.conftest import findings

SECRET = "tok-3f9c1e7a-never-print-me"


def test_shipped_dashboards_validate(run_cli: Any, backfill: Any, shipped_dir: Path) -> None:
    result = run_cli(*backfill.cli_args(), "--dashboards", str(shipped_dir))
    assert result.exit_code == 0, result.out + result.err
    summary = result.out.strip().splitlines()[-1]
    # 21 panels of the service and overview dashboards, 17 of security, release and resilience
    assert summary.startswith("validate: 38 panel(s) ok, 0 failed, 0 warning(s); ")
    assert backfill.url in summary


def test_json_output_parses_and_counts(run_cli: Any, backfill: Any, shipped_dir: Path) -> None:
    result = run_cli(*backfill.cli_args(), "--dashboards", str(shipped_dir), "--format", "json")
    assert result.exit_code == 0, result.err
    body = json.loads(result.out)
    assert body["summary"]["panels"] == 38
    assert body["summary"]["failures"] == 0
    assert body["summary"]["information"] == len(body["problems"])
    assert body["variables"]["meshdash-service"]["service"] == ["api", "currency", "payments"]
    assert {(p["code"], p["name"]) for p in body["problems"]} == {
        ("MD407", "validate/may-be-empty")
    }
    notes = {
        (
            p["severity"],
            where["panel_title"],
            where["ref_id"],
            tuple(sorted(where["values"].items())),
        )
        for p in body["problems"]
        for where in [p["location"]]
        if where["dashboard_uid"] == "meshdash-service"
    }
    # Declared may-be-empty: no retries from payments to currency, no 5xx around currency,
    # no TCP proxy in front of an HTTP service.
    failures = "Failures: callers saw vs $service answered"
    accepted = {
        ("information", "Connections to $service by caller", "B", (("service", s),))
        for s in ("api", "currency", "payments")
    }
    assert notes - accepted == {
        (
            "information",
            "Retries to $upstream",
            "B",
            (("service", "payments"), ("upstream", "currency")),
        ),
        ("information", failures, "A", (("service", "currency"),)),
        ("information", failures, "B", (("service", "currency"),)),
    }
    assert accepted <= notes


def test_strict_passes_noting_the_retry_panel_declared_may_be_empty(
    run_cli: Any, backfill: Any, shipped_dir: Path
) -> None:
    """payments never retries to currency, so its retry-responses query is empty there;
    the panel declares that legitimate, so it is a note, not a --strict failure."""
    result = run_cli(*backfill.cli_args(), "--dashboards", str(shipped_dir), "--strict")
    assert result.exit_code == 0, result.out + result.err
    found = findings(result.out)
    assert found and all(what.startswith("Information: ") for what, _ in found)
    [what] = [what for what, where in found if '"Retries to $upstream"' in where]
    assert tuple(where for w, where in found if w == what) == (
        'dashboard "Service mesh / Service" panel "Retries to $upstream" target B '
        "[service=payments upstream=currency]",
    )
    assert 'consul_source_service=~"payments" leaves none' in what
    assert what.endswith("(declared: may be empty) (validate/may-be-empty, MD407)")


@pytest.mark.parametrize(
    ("options", "exit_code"),
    [
        ((), 0),
        (("--fail-on", "warning"), 0),
        (("--fail-on", "information"), 1),
        (("--fail-on", "information", "--strict"), 1),
    ],
)
def test_fail_on_picks_the_lowest_severity_that_fails(
    run_cli: Any, backfill: Any, shipped_dir: Path, options: tuple[str, ...], exit_code: int
) -> None:
    """The shipped dashboards give notes (information) only: they fail from information up."""
    result = run_cli(*backfill.cli_args(), "--dashboards", str(shipped_dir), *options)
    assert result.exit_code == exit_code, result.err
    if exit_code:
        assert "problem(s) at or above information against" in result.err


def test_unreachable_prometheus_is_one_line_and_exit_2(
    run_cli: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PROMETHEUS_TOKEN", SECRET)
    url = f"http://127.0.0.1:{free_port()}"
    result = run_cli("validate", "--prometheus", url, "--timeout", "2")
    assert result.exit_code == 2
    assert result.out == ""
    [line] = result.err.strip().splitlines()
    assert url in line and "cannot connect" in line
    assert "Traceback" not in result.err
    assert SECRET not in result.out + result.err


def test_password_in_url_is_never_printed(run_cli: Any) -> None:
    url = f"http://user:{SECRET}@127.0.0.1:{free_port()}"
    result = run_cli("validate", "--prometheus", url, "--timeout", "2")
    assert result.exit_code == 2
    assert SECRET not in result.out + result.err
    assert "http://127.0.0.1:" in result.err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "either --prometheus URL or --sandbox"),
        (
            ("--prometheus", "http://127.0.0.1:1", "--sandbox"),
            "either --prometheus URL or --sandbox",
        ),
        (("--prometheus", "127.0.0.1:9090"), "must start with http://"),
        (("--prometheus", "http://127.0.0.1:1", "--range", "soon"), "--range 'soon'"),
        (("--prometheus", "http://127.0.0.1:1", "--header", "no colon"), "'Name: value'"),
        (("--prometheus", "http://127.0.0.1:1", "--end", "yesterday"), "--end 'yesterday'"),
    ],
)
def test_usage_errors_exit_2(run_cli: Any, args: tuple[str, ...], message: str) -> None:
    result = run_cli("validate", *args)
    assert result.exit_code == 2
    assert message in result.err
