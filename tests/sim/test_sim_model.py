"""The fluid model: conservation, retry arithmetic, histograms and quantiles."""

from __future__ import annotations

import math

import pytest

from generator.errors import ConfigError
from generator.metrics_catalogue import METRIC_TYPES, sample_type
from generator.sim import Latency, Mesh, MeshConfig
from generator.sim.distribution import Mixture, Piece

RETRY_CASES = [
    # (num_retries, v2_error_rate, use_subsets)
    (2, 0.25, True),
    (0, 0.25, True),
    (1, 0.5, True),
    (3, 0.125, True),
    (2, 0.25, False),
    (1, 1.0, True),
]


def test_conservation_along_the_chain() -> None:
    truth = Mesh(start=0).truth()
    rps = MeshConfig().ingress_rps
    assert truth.downstream_rate("ingress-gateway", prefix="ingress_upstream_8080") == rps
    assert truth.upstream_rate("ingress-gateway", "api") == truth.downstream_rate("api") == rps
    # Every attempt api makes reaches one payments sidecar.
    assert truth.downstream_rate("payments") == truth.attempt_rate("api", "payments")
    # Currency serves exactly the successful payments attempts.
    ok_payments = truth.downstream_rate("payments", code_class="2")
    assert truth.upstream_rate("payments", "currency") == ok_payments
    assert truth.downstream_rate("currency") == ok_payments


@pytest.mark.parametrize(("retries", "error_rate", "subsets"), RETRY_CASES)
def test_retry_arithmetic(retries: int, error_rate: float, subsets: bool) -> None:
    config = MeshConfig(num_retries=retries, v2_error_rate=error_rate, use_subsets=subsets)
    truth = Mesh(config, start=0).truth()
    rps = config.ingress_rps
    if subsets:  # a request routed to v2 stays on v2: each attempt fails with error_rate
        p_fail, v2_requests = error_rate, rps * config.v2_share
    else:  # every attempt is balanced again: failure chance is share * error_rate
        p_fail, v2_requests = config.v2_share * error_rate, rps
    expected_retries = v2_requests * sum(p_fail**k for k in range(1, retries + 1))
    expected_final_503 = v2_requests * p_fail ** (retries + 1)
    assert math.isclose(truth.retries("api", "payments"), expected_retries, abs_tol=1e-12)
    assert math.isclose(truth.retry_rate("api", "payments", code=503), expected_retries)
    assert math.isclose(truth.upstream_rate("api", "payments", code=503), expected_final_503)
    # attempts = requests + retries; requests = final responses
    assert truth.upstream_rate("api", "payments") == rps
    assert math.isclose(truth.attempt_rate("api", "payments"), rps + expected_retries)
    # api answers 500 for each request that failed after all retries
    assert math.isclose(truth.downstream_rate("api", code_class="5"), expected_final_503)


def test_retries_add_latency() -> None:
    with_retries = Mesh(MeshConfig(num_retries=2), start=0).truth()
    without = Mesh(MeshConfig(num_retries=0), start=0).truth()
    for q in (0.9, 0.99):
        assert with_retries.upstream_exact_quantile("api", "payments", q) > (
            without.upstream_exact_quantile("api", "payments", q)
        )


def test_default_rates_are_exact_floats() -> None:
    truth = Mesh(start=0).truth()
    # 16 rps, half to v2, 25% failing, 2 retries: 2 + 0.5 retries, 0.125 final failures.
    assert truth.retries("api", "payments") == 2.5
    assert truth.upstream_rate("api", "payments", code="503", cluster="v2") == 0.125
    assert truth.upstream_rate("api", "payments", code="200", cluster="v1") == 8.0


@pytest.mark.parametrize("sidecar", ["ingress-gateway", "api", "payments-v1", "payments-v2"])
def test_histograms_are_monotonic_and_inf_equals_count(sidecar: str) -> None:
    mesh = Mesh(start=1000.0)
    histograms = [s for s in mesh.emitted(sidecar) if s.kind == "histogram"]
    assert histograms
    for series in histograms:
        samples = mesh.samples(series, 1777.0)
        buckets = [s.value for s in samples if s.name.endswith("_bucket")]
        count = next(s.value for s in samples if s.name.endswith("_count"))
        assert buckets == sorted(buckets)
        assert buckets[-1] == count
        assert dict(samples[len(buckets) - 1].labels)["le"] == "+Inf"


def test_counters_grow_linearly_from_start() -> None:
    mesh = Mesh(start=1000.0)
    for series in mesh.emitted("api"):
        if series.kind != "counter":
            continue
        (before,) = mesh.samples(series, 900.0)
        (early,), (late,) = mesh.samples(series, 1010.0), mesh.samples(series, 1070.0)
        assert before.value == 0.0
        assert late.value >= early.value
        assert math.isclose(late.value - early.value, series.rate * 60, abs_tol=1e-9)


def _interpolate(q: float, buckets: list[tuple[float, float]]) -> float:
    """Linear interpolation inside the bucket holding rank q*total, written from the spec."""
    total = buckets[-1][1]
    rank = q * total
    lower_bound, lower_count = 0.0, 0.0
    for bound, count in buckets:
        if count >= rank:
            if math.isinf(bound):
                return lower_bound
            return lower_bound + (bound - lower_bound) * (rank - lower_count) / (
                count - lower_count
            )
        lower_bound, lower_count = bound, count
    raise AssertionError("no bucket reached the rank")


@pytest.mark.parametrize("q", [0.5, 0.9, 0.95, 0.99])
@pytest.mark.parametrize(("source", "destination"), [("api", "payments"), ("payments", "currency")])
def test_upstream_quantile_matches_bucket_interpolation(
    q: float, source: str, destination: str
) -> None:
    mesh = Mesh(start=0.0)
    truth = mesh.truth()
    totals: dict[float, float] = {}
    for series in truth.select(
        "envoy_cluster_upstream_rq_time",
        consul_source_service=source,
        consul_destination_service=destination,
    ):
        for sample in mesh.samples(series, 100.0):
            if sample.name.endswith("_bucket"):
                le = float(dict(sample.labels)["le"])
                totals[le] = totals.get(le, 0.0) + sample.value
    expected = _interpolate(q, sorted(totals.items()))
    assert math.isclose(truth.upstream_quantile(source, destination, q), expected, rel_tol=1e-9)


@pytest.mark.parametrize("q", [0.1, 0.5, 0.9, 0.99])
def test_exact_quantile_inverts_the_distribution(q: float) -> None:
    mixture = (
        Mesh(start=0)
        .truth()
        .histogram(
            "envoy_http_downstream_rq_time",
            local_cluster="api",
            envoy_http_conn_manager_prefix="public_listener",
        )
    )
    value = mixture.quantile(q)
    assert math.isclose(mixture.count_below(value) / mixture.rate, q, rel_tol=1e-9)


def test_uniform_quantile_and_prometheus_interpolation() -> None:
    mixture = Mixture.of([Piece(10.0, 10.0, 30.0)])
    assert mixture.quantile(0.5) == 20.0
    # Buckets 10 and 25 hold 0 and 7.5 obs/s; rank 5 is 2/3 of the way into (10, 25].
    assert math.isclose(mixture.histogram_quantile(0.5), 20.0)
    # rank 9 falls into (25, 50] holding 2.5 obs/s: 25 + 25 * 1.5 / 2.5 = 40 (not 28).
    assert math.isclose(mixture.histogram_quantile(0.9), 40.0)
    assert math.isclose(mixture.quantile(0.9), 28.0)


@pytest.mark.parametrize(
    "bad",
    [
        {"ingress_rps": 0},
        {"ingress_rps": math.inf},
        {"payments_v1_weight": 0, "payments_v2_weight": 0},
        {"payments_v2_weight": -1},
        {"v2_error_rate": 1.5},
        {"v2_error_code": 200},
        {"num_retries": -1},
        {"num_retries": 1.5},
        {"retry_backoff_ms": -5},
        {"rename_labels": (("local_cluster", ""),)},
    ],
)
def test_invalid_config_raises_config_error(bad: dict) -> None:
    field = next(iter(bad))  # the message names the setting, then says what it takes
    with pytest.raises(ConfigError, match=rf"^{field} (\+ \w+ )?(must|needs) "):
        MeshConfig(**bad)


@pytest.mark.parametrize("bounds", [(5.0, 5.0), (10.0, 1.0), (-1.0, 3.0), (0.0, math.nan)])
def test_invalid_latency_raises_config_error(bounds: tuple[float, float]) -> None:
    lo, hi = bounds  # the message names the bounds given ("." matches itself too)
    with pytest.raises(ConfigError, match=rf"^latency .*, got {lo}..{hi} ms"):
        Latency(*bounds)


def test_drop_and_rename_change_emission_not_truth() -> None:
    config = MeshConfig(
        drop_families=frozenset({"envoy_cluster_upstream_rq_retry"}),
        rename_labels=(("consul_destination_service", "consul_service"),),
    )
    mesh = Mesh(config, start=0)
    emitted = mesh.emitted("api")
    assert "envoy_cluster_upstream_rq_retry" not in {s.family for s in emitted}
    assert all(s.label("consul_destination_service") is None for s in emitted)
    assert {s.label("consul_service") for s in emitted} >= {"payments"}
    assert mesh.truth().retries("api", "payments") == 2.5


def test_every_upstream_service_appears_as_a_destination() -> None:
    truth = Mesh(start=0).truth()
    destinations = {
        s.label("consul_destination_service")
        for s in truth.select("envoy_cluster_upstream_rq_time")
    }
    assert destinations - {None} == {"api", "payments", "currency"}


@pytest.mark.parametrize(
    ("sample", "kind"),
    [
        ("envoy_cluster_upstream_rq", "counter"),
        ("envoy_cluster_upstream_rq_total", "counter"),
        ("envoy_cluster_upstream_cx_active", "gauge"),
        ("envoy_cluster_outlier_detection_ejections_active", "gauge"),
        ("envoy_cluster_circuit_breakers_high_rq_retry_open", "gauge"),
        ("envoy_cluster_upstream_rq_time_bucket", "histogram"),
        ("envoy_http_downstream_rq_time_count", "histogram"),
        ("istio_requests_total", "counter"),
        ("istio_request_duration_milliseconds_bucket", "histogram"),
        ("envoy_cluster_upstream_rq_bucket", None),
        ("not_a_metric", None),
    ],
)
def test_sample_type(sample: str, kind: str | None) -> None:
    assert sample_type(sample) == kind


def test_emitted_families_are_all_typed() -> None:
    mesh = Mesh(start=0)
    families = {s.family for sidecar in mesh.sidecars for s in mesh.emitted(sidecar.name)}
    assert families <= set(METRIC_TYPES)
    assert set(METRIC_TYPES.values()) == {"counter", "gauge", "histogram"}


@pytest.mark.parametrize(
    ("caller", "service"),
    [("ingress-gateway", "api"), ("api", "payments"), ("payments", "currency")],
)
def test_connections_callers_open_are_the_ones_services_accept(caller: str, service: str) -> None:
    truth = Mesh(start=0).truth()
    opened = truth.connection_rate(caller, service)
    assert opened > 0
    assert opened == truth.listener_connection_rate(service)
    public = {"local_cluster": service, "envoy_listener_address": "0.0.0.0_20000"}
    assert truth.rate("envoy_listener_downstream_cx_destroy", **public) == opened
    doubled = Mesh(MeshConfig(ingress_rps=32.0), start=0).truth()
    assert doubled.connection_rate(caller, service) == 2 * opened  # grows with requests


@pytest.mark.parametrize(
    ("caller", "service"), [("ingress-gateway", "api"), ("payments", "currency")]
)
def test_completed_equals_attempts_where_nothing_retries(caller: str, service: str) -> None:
    truth = Mesh(start=0).truth()
    assert truth.retries(caller, service) == 0
    assert truth.completed_rate(caller, service) == truth.attempt_rate(caller, service) > 0


def test_completed_excludes_retried_attempts() -> None:
    truth = Mesh(start=0).truth()
    attempts, retries = truth.attempt_rate("api", "payments"), truth.retries("api", "payments")
    assert retries > 0
    assert truth.completed_rate("api", "payments") == attempts - retries == 16.0


@pytest.mark.parametrize("subsets", [True, False])
def test_membership_counts_the_payments_endpoints(subsets: bool) -> None:
    truth = Mesh(MeshConfig(use_subsets=subsets), start=0).truth()
    clusters = {
        s.label("envoy_cluster_name")
        for s in truth.select(
            "envoy_cluster_membership_total",
            consul_source_service="api",
            consul_destination_service="payments",
        )
    }
    assert clusters == ({"v1", "v2"} if subsets else {"payments"})
    assert truth.endpoints("api", "payments") == 2  # payments-v1 and payments-v2
    assert truth.endpoints("api", "payments", healthy=True) == 2
    assert truth.endpoints("payments", "currency") == 2  # one cluster per payments sidecar


def test_active_requests_follow_littles_law_over_request_time() -> None:
    truth = Mesh(start=0).truth()
    for caller, service in [("api", "payments"), ("payments", "currency")]:
        latency = truth.histogram(
            "envoy_cluster_upstream_rq_time",
            consul_source_service=caller,
            consul_destination_service=service,
        )
        assert math.isclose(truth.active_requests(caller, service), latency.sum_rate / 1000)
        assert truth.active_connections(caller, service) >= truth.active_requests(caller, service)


def test_circuit_breaker_headroom_is_default_threshold_minus_use() -> None:
    truth = Mesh(start=0).truth()
    # api -> payments uses the v1 and v2 clusters, payments -> currency one per payments pod.
    for caller, service, clusters in [("api", "payments", 2), ("payments", "currency", 2)]:
        connections = truth.active_connections(caller, service)
        requests = truth.active_requests(caller, service)
        for resource, used in [("cx", connections), ("rq", requests), ("pending", 0.0)]:
            remaining = truth.breaker_remaining(caller, service, resource)
            assert math.isclose(remaining, 1024 * clusters - used)
            assert truth.breaker_remaining(caller, service, resource, "high") == 1024 * clusters
    # Only api retries: its retry headroom is below max_retries (3 per cluster), currency's is full.
    assert 0 < 6 - truth.breaker_remaining("api", "payments", "retries") < 1
    assert truth.breaker_remaining("payments", "currency", "retries") == 6


@pytest.mark.parametrize(("service", "upstream"), [("api", "payments"), ("payments", "currency")])
def test_upstream_listener_sees_what_the_app_sends(service: str, upstream: str) -> None:
    truth = Mesh(start=0).truth()
    # The app's calls are the cluster's final responses, retries hidden inside.
    for code_class in (None, "2", "5"):
        want = truth.upstream_rate(service, upstream, code_class=code_class)
        assert math.isclose(truth.outbound_rate(service, upstream, code_class), want)
    assert truth.outbound_rate(service, upstream) > 0
    for q in (0.5, 0.99):
        want = truth.upstream_quantile(service, upstream, q)
        assert math.isclose(truth.outbound_quantile(service, upstream, q), want)
    assert truth.listener_connection_rate(service, outbound=True) > 0


def test_gateway_and_leaf_service_have_no_upstream_listener() -> None:
    mesh = Mesh(start=0)
    for sidecar in ("ingress-gateway", "currency"):
        prefixes = {s.label("envoy_http_conn_manager_prefix") for s in mesh.emitted(sidecar)}
        assert prefixes - {None} == {mesh.sidecar(sidecar).listener_prefix}
    api = {s.label("envoy_http_conn_manager_prefix") for s in mesh.emitted("api")}
    assert api - {None} == {"public_listener", "upstream"}
