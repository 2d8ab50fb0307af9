"""`meshdash validate --from`: foreign dashboard JSON run against a real Prometheus.

The Envoy/Consul dashboards run against the simulator's backfill; the
Istio-style one against a test-local backfill of ``istio_requests_total``
(the simulator emits no Istio metrics).
"""

from __future__ import annotations

import contextlib
import io
import json
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.sim.prometheus import PrometheusServer, create_blocks

FOREIGN = Path(__file__).parent.parent / "foreign"
ISTIO_SERVICES = ("productpage.default.svc.cluster.local", "reviews.default.svc.cluster.local")


def _validate(run_cli: Any, backfill: Any, *paths: Path) -> Any:
    return run_cli(*backfill.cli_args(), "--format", "json", "--from", *map(str, paths))


def _failed(report: dict[str, Any], uid: str) -> set[tuple[str, tuple[tuple[str, str], ...]]]:
    return {
        (w["panel_title"] or f"${w['variable']}", tuple(sorted(w["values"].items())))
        for p in report["problems"]
        for w in [p["location"]]
        if w["dashboard_uid"] == uid and p["severity"] == "bug"
    }


@pytest.fixture(scope="module")
def report(backfill: Any) -> dict[str, Any]:

    out = io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        code = main([*backfill.cli_args(), "--format", "json", "--from", str(FOREIGN)])
    assert code == 1
    return json.loads(out.getvalue())


def test_variables_of_every_kind_resolve(report: dict[str, Any]) -> None:
    variables = report["variables"]
    services = ["api", "currency", "payments"]
    assert variables["export-external"]["service"] == services  # label_values(metric, label)
    # chained, label_values({selector}, label): each service's upstreams
    assert sorted(variables["export-external"]["upstream"]) == ["currency", "payments"]
    assert variables["export-external"]["listener"] == ["public_listener", "upstream_listener"]
    assert variables["export-external"]["env"] == ["demo"]
    assert "Filters" not in variables["export-external"]
    # a bare selector with a regex, the seed's way: every sidecar's source service
    assert sorted(variables["api-wrapper"]["caller"]) == [
        "api",
        "currency",
        "ingress-gateway",
        "payments",
    ]
    assert variables["api-wrapper"]["family"] == [
        "envoy_cluster_upstream_rq_time_count",
        "envoy_cluster_upstream_rq_time_sum",
    ]
    assert len(variables["api-wrapper"]["busiest"]) == 1  # query_result(topk(...))
    assert variables["legacy-rows"]["service"][:2] == ["api", "currency"]  # label_values(label)


def test_only_the_planted_breakage_fails(report: dict[str, Any]) -> None:
    assert {panel for panel, _ in _failed(report, "legacy-rows")} == {
        "Typo in the metric",
        "Dropped legend label",
    }
    # `=` against a multi-value variable: only All and two values fail
    assert _failed(report, "api-wrapper") == {
        ("Calls from $caller", (("caller", "All"),)),
        ("Calls from $caller", (("caller", "ingress-gateway+payments"),)),
    }
    assert _failed(report, "export-external") == set()


def test_a_misspelled_metric_is_named_as_unknown_to_the_catalogue(report: dict[str, Any]) -> None:
    """envoy_listener_http_downstream_rq_xxx: no series, and no family of that name."""
    [message] = {
        p["message"]
        for p in report["problems"]
        if p["location"]["panel_title"] == "Typo in the metric"
    }
    assert message == (
        "no series: metric envoy_listener_http_downstream_rq_xxx has no series at all in the "
        "last 10m; envoy_listener_http_downstream_rq_xxx is not in meshdash's metric catalogue"
    )


def test_panels_in_collapsed_and_legacy_rows_are_checked(report: dict[str, Any]) -> None:
    checked = {(c["dashboard"], c["panel"]): c["combinations"] for c in report["checked"]}
    assert checked[("api-wrapper", "Latency families")] == 4  # 2 families, All, two values
    assert checked[("legacy-rows", "Dropped legend label")] > 0
    assert ("export-external", "Sidecar logs") not in checked


def test_the_loki_target_is_a_note_not_a_failure(report: dict[str, Any]) -> None:
    path = FOREIGN / "export_external.json"
    assert (
        f"{path}: panel 'Sidecar logs' A: data source loki is not Prometheus; skipped"
        in (report["notes"])
    )


def test_a_bad_file_is_reported_and_the_others_still_validated(
    run_cli: Any, backfill: Any, tmp_path: Path
) -> None:
    bad = tmp_path / "notes.json"
    bad.write_text('{"title": "not a dashboard"}')
    result = _validate(run_cli, backfill, FOREIGN / "legacy_rows.json", bad)
    assert result.exit_code == 2
    assert result.err.splitlines() == [
        f"meshdash: error: {bad}: not a Grafana dashboard (no panels or rows); give a "
        'dashboard JSON export, a provisioned dashboard file or the API\'s {"dashboard": ...}'
    ]
    found = json.loads(result.out)
    assert {p["location"]["panel_title"] for p in found["problems"] if p["severity"] == "bug"} == {
        "Typo in the metric",
        "Dropped legend label",
    }


@pytest.fixture(scope="module")
def istio_prometheus() -> Iterator[tuple[str, float]]:
    """istio_requests_total for two services over ten minutes, backfilled."""
    last = int(time.time() // 15 * 15)
    lines = ["# TYPE istio_requests_total unknown"]
    for index, service in enumerate(ISTIO_SERVICES):
        labels = f'reporter="destination",destination_service="{service}",response_code="200"'
        for t in range(last - 600, last + 1, 15):
            lines.append(f"istio_requests_total{{{labels}}} {(t - last + 600) * (index + 1)} {t}")
    lines.append("# EOF")
    with tempfile.TemporaryDirectory(prefix="meshdash-istio-") as tmp:
        source, data = Path(tmp) / "istio.om.txt", Path(tmp) / "data"
        source.write_text("\n".join(lines) + "\n")
        create_blocks(source, data)
        with PrometheusServer(data_dir=data, scrape_interval="15s") as server:
            yield server.url, float(last)


def test_an_istio_style_query_result_variable_resolves_and_validates(
    run_cli: Any, istio_prometheus: tuple[str, float]
) -> None:
    url, end = istio_prometheus
    result = run_cli(
        "validate", "--prometheus", url, "--end", str(end), "--range", "10m",
        "--format", "json", "--from", str(FOREIGN / "istio.json"),
    )  # fmt: skip
    assert result.exit_code == 0, result.out
    found = json.loads(result.out)
    assert found["variables"]["istio-style"]["service"] == list(ISTIO_SERVICES)
    assert found["checked"] == [
        {"dashboard": "istio-style", "panel": "Requests to $service", "combinations": 3}
    ]
    assert found["problems"] == []


def test_only_bad_files_fail_before_any_request(run_cli: Any, tmp_path: Path) -> None:
    bad = tmp_path / "empty.json"
    bad.write_text("")
    result = run_cli("validate", "--prometheus", "http://127.0.0.1:9", "--from", str(bad))
    assert result.exit_code == 2
    assert result.err.splitlines() == [
        f"meshdash: error: {bad}: empty file; give a Grafana dashboard JSON export"
    ]
