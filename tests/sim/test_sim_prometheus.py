"""The simulator through a real Prometheus: backfill, live scraping, and the sandbox command.

Tolerances: backfilled data is exact and regular, so PromQL's rate() equals the
truth up to float rounding (relative 1e-9). Live samples are stamped at scrape
start while the value is computed a moment later, so the live tolerance is 2%.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from generator.errors import SandboxError
from generator.sim import PrometheusServer, Sandbox
from generator.sim.prometheus import find_binary
from tests.sim.conftest import instant, needs_prometheus, scalar

API_TO_PAYMENTS = 'consul_source_service="api", consul_destination_service="payments"'
PUBLIC = 'envoy_http_conn_manager_prefix="public_listener"'

RATE_CASES = [
    (
        f'sum(rate(envoy_listener_http_downstream_rq_xx{{local_cluster="api", {PUBLIC}, '
        'envoy_response_code_class="5"}[1m]))',
        lambda t: t.downstream_rate("api", code_class="5"),
    ),
    (
        f'sum(rate(envoy_cluster_upstream_rq{{{API_TO_PAYMENTS}, envoy_response_code="503"}}[1m]))',
        lambda t: t.upstream_rate("api", "payments", code=503),
    ),
    (
        f"sum(rate(envoy_cluster_external_upstream_rq{{{API_TO_PAYMENTS}}}[2m]))",
        lambda t: t.upstream_rate("api", "payments"),
    ),
    (
        f"sum(rate(envoy_cluster_retry_upstream_rq_xx{{{API_TO_PAYMENTS}}}[1m]))",
        lambda t: t.retry_rate("api", "payments", code_class="5"),
    ),
    (
        f"sum(rate(envoy_cluster_upstream_rq_retry{{{API_TO_PAYMENTS}}}[5m]))",
        lambda t: t.retries("api", "payments"),
    ),
    (
        f"sum(rate(envoy_cluster_upstream_rq_total{{{API_TO_PAYMENTS}}}[1m]))",
        lambda t: t.attempt_rate("api", "payments"),
    ),
    (
        'sum(rate(envoy_cluster_grpc_FakeService_Handle_success{envoy_cluster_name="currency"}[1m]))',
        lambda t: t.rate("envoy_cluster_grpc_FakeService_Handle_success"),
    ),
    (
        'sum(rate(envoy_cluster_grpc_total{envoy_grpc_bridge_method="Handle"}[1m]))',
        lambda t: t.grpc_rate("payments", "currency"),
    ),
    (
        f"sum(rate(envoy_cluster_upstream_cx_total{{{API_TO_PAYMENTS}}}[1m]))",
        lambda t: t.connection_rate("api", "payments"),
    ),
    (
        'sum(rate(envoy_listener_downstream_cx_total{local_cluster="payments",'
        ' envoy_listener_address="0.0.0.0_20000"}[1m]))',
        lambda t: t.listener_connection_rate("payments"),
    ),
    (  # how Consul's UI reads a service's upstreams
        'sum by (consul_upstream_service) (rate(envoy_http_downstream_rq_xx{local_cluster="api",'
        ' envoy_http_conn_manager_prefix="upstream", envoy_response_code_class="5"}[1m]))',
        lambda t: t.outbound_rate("api", "payments", code_class="5"),
    ),
]

GAUGE_CASES = [
    (
        f"sum(envoy_cluster_membership_healthy{{{API_TO_PAYMENTS}}})",
        lambda t: t.endpoints("api", "payments", healthy=True),
    ),
    (
        f"sum(envoy_cluster_upstream_rq_active{{{API_TO_PAYMENTS}}})",
        lambda t: t.active_requests("api", "payments"),
    ),
    (
        f"sum(envoy_cluster_circuit_breakers_default_remaining_rq{{{API_TO_PAYMENTS}}})",
        lambda t: t.breaker_remaining("api", "payments", "rq"),
    ),
    (
        f"sum(envoy_cluster_circuit_breakers_default_remaining_retries{{{API_TO_PAYMENTS}}})",
        lambda t: t.breaker_remaining("api", "payments", "retries"),
    ),
]

QUANTILES = [0.5, 0.9, 0.99]


def _upstream_quantile_query(q: float) -> str:
    return (
        f"histogram_quantile({q}, sum by (le) (rate(envoy_cluster_upstream_rq_time_bucket"
        f"{{{API_TO_PAYMENTS}}}[1m])))"
    )


@needs_prometheus
@pytest.mark.parametrize(("expr", "want"), RATE_CASES + GAUGE_CASES)
def test_backfilled_rates_and_gauges_equal_truth(backfilled: Sandbox, expr: str, want) -> None:
    expected = want(backfilled.truth)
    assert expected > 0
    assert math.isclose(scalar(backfilled, expr), expected, rel_tol=1e-9)


@needs_prometheus
@pytest.mark.parametrize("q", QUANTILES)
def test_backfilled_upstream_quantile_equals_truth(backfilled: Sandbox, q: float) -> None:
    got = scalar(backfilled, _upstream_quantile_query(q))
    assert math.isclose(got, backfilled.truth.upstream_quantile("api", "payments", q), rel_tol=1e-9)


@needs_prometheus
def test_backfilled_inbound_p99_per_service(backfilled: Sandbox) -> None:
    expr = (
        "histogram_quantile(0.99, sum by (le, local_cluster) "
        f"(rate(envoy_http_downstream_rq_time_bucket{{{PUBLIC}}}[1m])))"
    )
    got = {r["metric"]["local_cluster"]: float(r["value"][1]) for r in instant(backfilled, expr)}
    assert set(got) == {"api", "payments", "currency"}  # the ingress has no public_listener
    for service, value in got.items():
        assert math.isclose(value, backfilled.truth.inbound_quantile(service, 0.99), rel_tol=1e-9)


@needs_prometheus
def test_backfilled_service_variable_lists_every_destination(backfilled: Sandbox) -> None:
    answer = requests.get(
        f"{backfilled.url}/api/v1/series",
        params={"match[]": "envoy_cluster_upstream_rq_time_bucket", "start": backfilled.end - 60},
        timeout=10,
    ).json()
    pattern = re.compile(r'consul_destination_service="([^"]*)')
    found = set()
    for labels in answer["data"]:
        text = ",".join(f'{k}="{v}"' for k, v in sorted(labels.items()))
        if match := pattern.search(text):
            found.add(match.group(1))
    assert found == {"api", "payments", "currency"}


@needs_prometheus
def test_backfilled_idle_counter_is_zero_on_every_cluster(backfilled: Sandbox) -> None:
    clusters = sum(len(sidecar.clusters) for sidecar in backfilled.mesh.sidecars)
    per_cluster = "count by (pod, envoy_cluster_name) (envoy_cluster_upstream_cx_connect_fail)"
    assert len(instant(backfilled, per_cluster)) == clusters
    assert scalar(backfilled, "sum(rate(envoy_cluster_upstream_cx_connect_fail[1m]))") == 0


@needs_prometheus
def test_backfilled_gauge_is_not_a_counter(backfilled: Sandbox) -> None:
    expr = 'sum(envoy_cluster_upstream_cx_active{envoy_cluster_name="v2"})'
    assert scalar(backfilled, expr) == backfilled.truth.value(
        "envoy_cluster_upstream_cx_active", envoy_cluster_name="v2"
    )


@needs_prometheus
def test_live_series_have_scrape_labels_and_true_rates(live: Sandbox) -> None:
    result = instant(live, f"envoy_cluster_upstream_rq_total{{{API_TO_PAYMENTS}}}", time.time())
    assert {r["metric"]["job"] for r in result} == {"envoy-sidecars"}
    assert {r["metric"]["instance"] for r in result} == {"api-0:20200"}
    assert {r["metric"]["pod"] for r in result} == {"api-0"}
    for expr, want in RATE_CASES[:2]:
        got = scalar(live, expr.replace("[1m]", "[3s]"), time.time())
        assert math.isclose(got, want(live.truth), rel_tol=0.02), expr


@needs_prometheus
def test_live_sidecar_serves_envoy_text(live: Sandbox) -> None:
    answer = requests.get(live.sidecar_urls["payments-v2"], timeout=5)
    assert answer.status_code == 200
    assert "# TYPE envoy_cluster_upstream_rq counter\n" in answer.text
    assert (
        requests.get(
            live.sidecar_urls["api"].replace("/stats/prometheus", "/"), timeout=5
        ).status_code
        == 404
    )


@needs_prometheus
def test_prometheus_server_cleans_up_process_and_temp_dir() -> None:
    with PrometheusServer() as server:
        pid, tmp = server.pid, server._tmp
        assert pid is not None and tmp is not None and tmp.exists()
        assert requests.get(f"{server.url}/-/ready", timeout=5).status_code == 200
    assert not tmp.exists()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


def test_missing_binary_says_how_to_install(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "/nonexistent")
    with pytest.raises(SandboxError, match="apt-get install prometheus"):
        find_binary("promtool")


@needs_prometheus
def test_sandbox_command_serves_then_exits_cleanly() -> None:
    meshdash = Path(sys.executable).with_name("meshdash")
    process = subprocess.Popen(
        [str(meshdash), "sandbox", "--duration", "3", "--scrape-interval", "1s"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        match = re.match(r"Prometheus: (http://127\.0\.0\.1:\d+) \(pid (\d+)\)", first)
        assert match, first
        url, pid = match.group(1), int(match.group(2))
        assert requests.get(f"{url}/-/ready", timeout=5).status_code == 200
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{url}/-/ready", timeout=2)


@needs_prometheus
def test_backfill_honours_dropped_family_and_renamed_label() -> None:
    from generator.sim import MeshConfig, backfilled_prometheus

    config = MeshConfig(
        drop_families=frozenset({"envoy_cluster_retry_upstream_rq_xx"}),
        rename_labels=(("envoy_http_conn_manager_prefix", "stat_prefix"),),
    )
    with backfilled_prometheus(config, window_seconds=120, step_seconds=10) as sandbox:
        assert instant(sandbox, f"envoy_cluster_retry_upstream_rq_xx{{{API_TO_PAYMENTS}}}") == []
        assert instant(sandbox, f"envoy_http_downstream_rq_total{{{PUBLIC}}}") == []
        renamed = 'sum(rate(envoy_http_downstream_rq_total{stat_prefix="public_listener"}[1m]))'
        expected = sandbox.truth.rate(
            "envoy_http_downstream_rq_total", envoy_http_conn_manager_prefix="public_listener"
        )
        assert expected > 0
        assert math.isclose(scalar(sandbox, renamed), expected, rel_tol=1e-9)
