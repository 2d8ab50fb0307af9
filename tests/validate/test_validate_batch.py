"""Batched and one-query-per-combination validation give the same verdicts on a damaged mesh.

The Prometheus is real, fed by the simulator's model for a 12-service mesh
(`bench.synthetic_mesh`: service i calls i+1 and i+7) with gaps injected for
some services and one (service, upstream) pair only. Both modes run over the
same backfill with a combination cap above the number of pairs, so both check
every combination; their problems, per-panel counts and summaries must match,
and each gap must be reported for exactly the combinations that have it.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from bench.synthetic_mesh import CALL_OFFSETS, Gaps, backfilled, service_name
from generator.outputs.build import BuiltDashboard
from generator.promql.dashboard import iter_targets
from generator.promql.interpolate import TimeRange
from generator.promql.lint.problems import Problem, Severity
from generator.validate import PrometheusClient, ValidateOptions, connection_from, validate
from generator.validate.checks import MAY_BE_EMPTY, SOME_EMPTY
from generator.validate.validation_report import Report
from tests.conftest import build_shipped

SERVICES = 12
STEP = 15
WINDOW = 600
NO_RETRIES = frozenset({service_name(3), service_name(8)})
RENAMED = (service_name(5), service_name(6))
GAPS = Gaps(no_retries=NO_RETRIES, renamed=frozenset({RENAMED}))
PAIRS = {
    (service_name(i), service_name((i + k) % SERVICES))
    for i in range(SERVICES)
    for k in CALL_OFFSETS
}
SELECT = 'consul_source_service=~"$service", consul_destination_service=~"$upstream"'


def _target(expr: str, legend: str, **extra: Any) -> dict[str, Any]:
    return {"refId": "A", "expr": expr, "legendFormat": legend, **extra}


def _extra_dashboard(service: dict[str, Any]) -> dict[str, Any]:
    """The service dashboard's variables with an instant target and two that cannot batch."""
    panels = [
        (
            "Requests in range (instant)",
            _target(
                "sum by (consul_destination_service) "
                f"(increase(envoy_cluster_upstream_rq_xx{{{SELECT}}}[$__range]))",
                "{{consul_destination_service}}",
                instant=True,
                range=False,
            ),
        ),
        (
            "Busiest upstream",
            _target(
                f"topk(1, sum by (consul_destination_service) "
                f"(rate(envoy_cluster_upstream_rq_xx{{{SELECT}}}[$__rate_interval])))",
                "{{consul_destination_service}}",
            ),
        ),
        (
            "Retries, no grouping",
            _target(
                f"sum(rate(envoy_cluster_upstream_rq_retry{{{SELECT}}}[$__rate_interval]))", ""
            ),
        ),
    ]
    return {
        "uid": "batch-extra",
        "title": "Batch extra",
        "templating": service["templating"],
        "panels": [
            {"id": i + 1, "type": "timeseries", "title": title, "targets": [target]}
            for i, (title, target) in enumerate(panels)
        ],
    }


@pytest.fixture(scope="module")
def mesh(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, ValidateOptions]]:
    last = int(time.time() // STEP * STEP)
    service = next(d for d in build_shipped() if d.uid == "meshdash-service")
    extra = _extra_dashboard(service.data)["panels"]
    queries = [t["expr"] for p in extra for t in p["targets"]]
    queries += [t.expr for item in build_shipped() for t in iter_targets(item.data)]
    queries += [str(v.get("query")) for v in service.data["templating"]["list"]]
    work = tmp_path_factory.mktemp("batch")
    with backfilled(
        work, SERVICES, queries, first=last - WINDOW, last=last, step=STEP, gaps=GAPS
    ) as server:
        options = ValidateOptions(
            time_range=TimeRange((last - WINDOW) * 1000, last * 1000),
            range_text="10m",
            scrape_interval=f"{STEP}s",
            max_combinations=1000,
        )
        yield server.url, options


def _dashboards() -> list[BuiltDashboard]:
    service = next(d for d in build_shipped() if d.uid == "meshdash-service")
    extra = replace(
        service, uid="batch-extra", title="Batch extra", data=_extra_dashboard(service.data)
    )
    return [service, extra]


def _run(mesh: tuple[str, ValidateOptions], *, batch: bool) -> Report:
    url, options = mesh
    with PrometheusClient(connection_from(url, environ={})) as client:
        return validate(_dashboards(), client, replace(options, batch=batch))


@pytest.fixture(scope="module")
def reports(mesh: tuple[str, ValidateOptions]) -> tuple[Report, Report]:
    return _run(mesh, batch=True), _run(mesh, batch=False)


def _key(problem: Problem) -> tuple[Any, ...]:
    where = problem.location
    return (where.dashboard_uid, where.panel_title or "", where.ref_id or "", where.values)


def test_both_modes_give_identical_verdicts(reports: tuple[Report, Report]) -> None:
    batched, single = reports
    assert sorted(batched.problems, key=_key) == sorted(single.problems, key=_key)
    assert batched.checked == single.checked
    assert (batched.panels, batched.panels_failed, batched.panels_warned) == (
        single.panels,
        single.panels_failed,
        single.panels_warned,
    )
    assert batched.queries < single.queries / 3


def test_every_pair_is_checked_by_the_upstream_panels(reports: tuple[Report, Report]) -> None:
    batched, _ = reports
    counts = {(c.dashboard, c.panel): c.combinations for c in batched.checked}
    # every pair, plus All and two values for each variable not repeated on ($upstream's row is)
    assert counts[("meshdash-service", "Upstream success ratio of $upstream")] == len(PAIRS) + 2
    assert counts[("batch-extra", "Requests in range (instant)")] == len(PAIRS) + 4
    assert counts[("meshdash-service", "Inbound success ratio")] == SERVICES + 2


def _combos(report: Report, panel: str, ref_id: str = "A", code: str = SOME_EMPTY.code) -> set:
    return {
        tuple(v for _, v in p.location.values)
        for p in report.problems
        if p.location.panel_title == panel and p.location.ref_id == ref_id and p.code == code
    }


@pytest.mark.parametrize("mode", [0, 1], ids=["batched", "one-per-combination"])
def test_each_gap_is_reported_for_exactly_its_combinations(
    reports: tuple[Report, Report], mode: int
) -> None:
    report = reports[mode]
    without_retries = {pair for pair in PAIRS if pair[0] in NO_RETRIES}
    assert _combos(report, "Retries to $upstream") == without_retries
    assert _combos(report, "Retries to $upstream", "B", MAY_BE_EMPTY.code) == without_retries
    assert _combos(report, "Upstream success ratio of $upstream") == {RENAMED}
    assert _combos(report, "Requests in range (instant)") == {RENAMED}
    assert _combos(report, "Retries, no grouping") == without_retries
    assert not _combos(report, "Upstream latency to $upstream")
    assert not report.failures
    assert {p.code for p in report.problems} == {SOME_EMPTY.code, MAY_BE_EMPTY.code}


def test_the_diagnosis_names_the_missing_family(reports: tuple[Report, Report]) -> None:
    batched, _ = reports
    [problem] = [
        p
        for p in batched.problems
        if p.location.panel_title == "Upstream success ratio of $upstream"
        and p.severity == Severity.WARNING
    ]
    assert "adding consul_destination_service=" in problem.message
    assert "other variable values have data" in problem.message


def test_targets_that_mix_series_fall_back_and_say_why(reports: tuple[Report, Report]) -> None:
    batched, single = reports
    assert sorted(batched.fallbacks) == [
        "batch-extra panel 'Busiest upstream' A: one query per combination "
        "(at most max_combinations): topk() has no by (...) to keep "
        "consul_source_service in",
        "batch-extra panel 'Retries, no grouping' A: one query per combination "
        "(at most max_combinations): sum() has no by (...) to keep "
        "consul_source_service in",
    ]
    assert single.fallbacks == []


def test_no_batch_on_the_command_line_sends_one_query_per_combination(
    run_cli: Any, mesh: tuple[str, ValidateOptions], shipped_dir: Path
) -> None:
    url, options = mesh
    common = ["validate", "--dashboards", str(shipped_dir), "--prometheus", url]
    common += ["--end", str(options.time_range.end_ms / 1000), "--range", "10m"]
    common += ["--scrape-interval", f"{STEP}s", "--format", "json"]
    batched = json.loads(run_cli(*common).out)
    single = json.loads(run_cli(*common, "--no-batch", "--max-combinations", "1000").out)
    capped = json.loads(run_cli(*common, "--no-batch", "--max-combinations", "10").out)
    assert batched["problems"] == single["problems"]
    assert batched["summary"]["combinations"] == single["summary"]["combinations"]
    assert batched["summary"]["queries"] < single["summary"]["queries"] / 4
    # without batching, a cap of 10 leaves most of the 24 pairs unchecked
    assert capped["summary"]["combinations"] < batched["summary"]["combinations"]


def test_verbose_names_the_targets_that_fell_back(
    run_cli: Any, mesh: tuple[str, ValidateOptions], tmp_path: Path
) -> None:
    url, options = mesh
    service = next(d for d in build_shipped() if d.uid == "meshdash-service")
    path = tmp_path / "extra.json"
    path.write_text(json.dumps(_extra_dashboard(service.data)))
    common = ["validate", "--prometheus", url, "--end", str(options.time_range.end_ms / 1000)]
    common += ["--range", "10m", "--scrape-interval", f"{STEP}s", "--from", str(path)]
    quiet, verbose = run_cli(*common), run_cli(*common, "--verbose")
    fallbacks = [x for x in verbose.out.splitlines() if x.startswith("fallback: ")]
    assert [x.split(":")[1].strip() for x in fallbacks] == [
        "batch-extra panel 'Busiest upstream' A",
        "batch-extra panel 'Retries, no grouping' A",
    ]
    assert "fallback: " not in quiet.out
    assert "checked batch-extra panel 'Requests in range (instant)': 28 combination(s)" in (
        quiet.out.splitlines()
    )
