"""validate tries what Grafana sends for All and for two values, and honours "may be empty".

A team dashboard is written to tmp_path, as a user would, and validated
against the backfilled real Prometheus of conftest. Its `$service` is the
shipped multi-value variable with All (allValue `.+`); its values are
api, currency and payments, and every one of them answers inbound requests.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.promql.interpolate import TimeRange
from generator.validate.plan import plan_dashboard
from generator.validate.resolve import Resolution, parse_variables
from tests.validate.conftest import findings

INBOUND = (
    "sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{{local_cluster{op}"
    '"$service", envoy_http_conn_manager_prefix="public_listener"}}[$__rate_interval]))'
)
NOWHERE = (
    "sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{"
    'local_cluster=~"$service", envoy_http_conn_manager_prefix="no_such_listener"}'
    "[$__rate_interval]))"
)

DEFINITION = """
from generator.dashboard import Dashboard, Row
from generator.panels.common import target, timeseries
from generator.variables import datasource, service


def panel(title, expr, **options):
    return timeseries(
        title=title,
        description="A team panel.",
        unit="reqps",
        targets=[target(expr, legend="{{local_cluster}}", **options)],
    )


TEAM = Dashboard(
    uid="team-widened",
    title="Team / Widened",
    variables=[datasource(), service()],
    rows=[Row("Inbound", [%s])],
)
"""


def _write(tmp_path: Path, panels: str) -> str:
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "team.py").write_text(DEFINITION % panels)
    return str(folder)


def _validate(run_cli: Any, backfill: Any, folder: str, *extra: str) -> Any:
    return run_cli(*backfill.cli_args(), "--dashboards", folder, *extra)


def test_exact_match_on_a_multi_value_variable_fails_for_all_and_two_values(
    run_cli: Any, backfill: Any, tmp_path: Path
) -> None:
    panels = (
        f"panel('Exact', {INBOUND.format(op='=')!r}), panel('Regex', {INBOUND.format(op='=~')!r})"
    )
    result = _validate(run_cli, backfill, _write(tmp_path, panels))
    assert result.exit_code == 1
    assert findings(result.out) == [
        (
            f"Bug: no series, although service=api alone has data: Grafana sends {sent!r} "
            "for $service here; match it with =~ or !~ (= and != compare the label with that "
            "text) (validate/all-or-several, MD406)",
            f'dashboard "Team / Widened" panel "Exact" target A [service={shown}]',
        )
        for shown, sent in (("All", ".+"), ("api+currency", "(api|currency)"))
    ]
    assert "validate: 1 panel(s) ok, 1 failed, 0 warning(s)" in result.out


def test_an_empty_panel_fails_unless_it_says_it_may_be_empty(
    run_cli: Any, backfill: Any, tmp_path: Path
) -> None:
    panels = f"panel('Declared', {NOWHERE!r}, may_be_empty=True), panel('Undeclared', {NOWHERE!r})"
    result = _validate(run_cli, backfill, _write(tmp_path, panels), "--strict")
    assert result.exit_code == 1
    found = findings(result.out)
    services = ("api", "currency", "payments")
    assert [(what.split(":")[0], where) for what, where in found] == [
        *(("Information", _where("Declared", s)) for s in services),
        *(("Bug", _where("Undeclared", s)) for s in services),
    ]
    assert all(
        what.endswith("(declared: may be empty) (validate/may-be-empty, MD407)")
        for what, _ in found[:3]
    )
    assert all(what.endswith("(validate/no-series, MD401)") for what, _ in found[3:])
    assert "validate: 1 panel(s) ok, 1 failed, 0 warning(s)" in result.out


def test_a_declared_empty_panel_alone_passes_strict(
    run_cli: Any, backfill: Any, tmp_path: Path
) -> None:
    panels = f"panel('Declared', {NOWHERE!r}, may_be_empty=True)"
    result = _validate(run_cli, backfill, _write(tmp_path, panels), "--strict")
    assert result.exit_code == 0, result.out + result.err
    assert [where for _, where in findings(result.out)] == [
        _where("Declared", s) for s in ("api", "currency", "payments")
    ]


def _where(panel: str, service: str) -> str:
    return f'dashboard "Team / Widened" panel "{panel}" target A [service={service}]'


# The plan alone: which choices are tried, as shown and as sent, within the cap.

SERVICES = ["api", "currency", "payments"]


def _dashboard(*, all_value: str | None, repeat: str | None = None) -> dict[str, Any]:
    variable = {"name": "service", "type": "custom", "query": ",".join(SERVICES)}
    variable |= {"multi": True, "includeAll": True, "allValue": all_value}
    expr = 'sum(rate(x_total{s=~"$service"}[5m]))'
    row = {"type": "row", "title": "r", "panels": [], "repeat": repeat}
    panel = {"type": "timeseries", "title": "p", "targets": [{"refId": "A", "expr": expr}]}
    return {"uid": "d", "templating": {"list": [variable]}, "panels": [row, panel]}


def _plan(dashboard: dict[str, Any], cap: int = 50) -> list[Any]:
    resolution = Resolution(parse_variables(dashboard))
    resolution.assignments = [{"service": s} for s in SERVICES]
    [plan] = plan_dashboard(
        dashboard,
        resolution,
        time_range=TimeRange.last("1h", now_ms=1_700_000_000_000),
        scrape_interval="15s",
        max_combinations=cap,
    )
    return list(plan.jobs)


@pytest.mark.parametrize(
    ("all_value", "sent_for_all"), [(".+", ".+"), (None, "(api|currency|payments)")]
)
def test_all_sends_the_all_value_else_every_option(
    all_value: str | None, sent_for_all: str
) -> None:
    jobs = _plan(_dashboard(all_value=all_value))
    assert [(j.values, j.widened and j.widened.sent) for j in jobs] == [
        ((("service", "api"),), None),
        ((("service", "currency"),), None),
        ((("service", "payments"),), None),
        ((("service", "All"),), sent_for_all),
        ((("service", "api+currency"),), "(api|currency)"),
    ]
    assert jobs[3].expr == f'sum(rate(x_total{{s=~"{sent_for_all}"}}[5m]))'


def test_the_cap_bounds_every_choice_and_keeps_a_single_value() -> None:
    jobs = _plan(_dashboard(all_value=".+"), cap=2)
    assert [dict(j.values)["service"] for j in jobs] == ["api", "All"]


def test_a_row_repeated_on_the_variable_tries_single_values_only() -> None:
    jobs = _plan(_dashboard(all_value=".+", repeat="service"))
    assert [dict(j.values)["service"] for j in jobs] == SERVICES
    assert all(j.widened is None for j in jobs)
