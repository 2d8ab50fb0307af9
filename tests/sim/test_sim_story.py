"""The simulator's security, release and resilience story: its families and its incidents."""

from __future__ import annotations

import pytest

from generator.metrics_catalogue import METRIC_TYPES, RELEASE_EVENT_METRIC, STORY_METRICS
from generator.sim import Mesh, MeshConfig
from generator.sim.exposition import envoy_text
from generator.sim.incidents import CLUSTER_FAULTS, Incidents
from generator.sim.story import HEALTHY_CERT_DAYS, RELEASE_EVENTS

QUIET = Mesh(start=0)
STORY = Mesh(MeshConfig(incidents=Incidents()), start=1000)
API_TO = {"consul_source_service": "api", "consul_destination_service": "payments"}


def test_every_story_family_is_in_the_catalogue_with_its_type() -> None:
    for name, kind, _ in STORY_METRICS:
        assert METRIC_TYPES[name] == kind
    text = envoy_text(QUIET, "payments-v1", 60.0)
    assert "# TYPE envoy_http_rbac_allowed counter" in text
    assert "# TYPE envoy_server_days_until_first_cert_expiring gauge" in text


def test_a_quiet_mesh_allows_everything_and_nothing_fails() -> None:
    truth = QUIET.truth()
    for service in ("api", "payments", "currency"):
        assert truth.rate(
            "envoy_http_rbac_allowed", local_cluster=service
        ) == truth.downstream_rate(service)
        assert truth.rate("envoy_http_rbac_denied", local_cluster=service) == 0
    for family in ("envoy_cluster_upstream_cx_none_healthy", "envoy_listener_ssl_fail_verify_san"):
        assert truth.rate(family) == 0 and list(truth.select(family))
    # Envoy creates per-code and per-status counters on first use: nobody was denied.
    assert not list(truth.select("envoy_cluster_upstream_rq", envoy_response_code="403"))
    assert not list(truth.select("envoy_cluster_grpc_7"))
    assert not list(truth.select(RELEASE_EVENT_METRIC))
    days = {s.rate for s in truth.select("envoy_server_days_until_first_cert_expiring")}
    assert days == {HEALTHY_CERT_DAYS}


def test_a_handshake_per_connection() -> None:
    truth = QUIET.truth()
    handshakes = truth.rate("envoy_cluster_ssl_handshake", **API_TO)
    assert handshakes == truth.connection_rate("api", "payments") > 0


def test_the_denied_calls_add_up_on_the_callers_cluster() -> None:
    truth = STORY.truth()
    v1 = {**API_TO, "envoy_cluster_name": "v1"}
    assert truth.rate("envoy_cluster_upstream_rq", envoy_response_code="403", **v1) == 0.25
    by_code = truth.rate("envoy_cluster_upstream_rq", **v1)
    assert truth.rate("envoy_cluster_upstream_rq_completed", **v1) == pytest.approx(by_code)
    completed = truth.rate("envoy_cluster_upstream_rq_completed", **v1)
    retried = truth.rate("envoy_cluster_retry_upstream_rq_completed", **v1)
    assert truth.rate("envoy_cluster_upstream_rq_total", **v1) == pytest.approx(completed + retried)
    quiet = QUIET.truth().rate("envoy_cluster_upstream_rq_completed", **v1)
    assert completed == pytest.approx(quiet + 0.25)
    assert truth.rate("envoy_http_rbac_denied", local_cluster="payments") == 0.25
    assert truth.rate("envoy_cluster_grpc_7", envoy_grpc_bridge_method="Admin") == 0.125
    assert truth.rate("envoy_http_rbac_denied", local_cluster="currency") == 0.125


def test_the_faults_strike_api_to_payments_v2_only() -> None:
    truth = STORY.truth()
    v2 = {**API_TO, "envoy_cluster_name": "v2"}
    for counter, rate in CLUSTER_FAULTS:
        family = f"envoy_cluster_{counter}"
        assert truth.rate(family, **v2) == rate > 0, family
        assert truth.rate(family) == rate, f"{family} strikes elsewhere too"
    assert truth.value("envoy_cluster_circuit_breakers_default_rq_retry_open", **v2) == 1
    assert truth.value("envoy_cluster_circuit_breakers_default_remaining_retries", **v2) == 0
    assert truth.value("envoy_cluster_outlier_detection_ejections_active", **v2) == 1
    assert truth.endpoints("api", "payments", healthy=True) == 2  # v1's one, v2's one of two
    assert truth.endpoints("api", "payments") == 3


def test_release_events_hold_their_unix_time() -> None:
    events = {s.label("event"): s.rate for s in STORY.truth().select(RELEASE_EVENT_METRIC)}
    assert events == {text: 1000 + at for at, _, _, text in RELEASE_EVENTS}


def test_without_subsets_the_payments_cluster_takes_the_faults() -> None:
    mesh = Mesh(MeshConfig(incidents=Incidents(), use_subsets=False), start=0)
    truth = mesh.truth()
    only = {**API_TO, "envoy_cluster_name": "payments"}
    assert truth.rate("envoy_cluster_upstream_rq_retry_overflow", **only) == 0.25
    assert truth.rate("envoy_cluster_upstream_rq", envoy_response_code="403", **only) == 0.25


def test_l4_intentions_only_on_tcp_services() -> None:
    """Consul's network RBAC filter (connect_authz) sits on tcp listeners only."""
    assert not list(QUIET.truth().select("envoy_connect_authz_rbac_allowed"))
    quiet = Mesh(MeshConfig(tcp_service=True), start=0).truth()
    [allowed] = quiet.select("envoy_connect_authz_rbac_allowed")
    connections = quiet.rate(
        "envoy_tcp_downstream_cx_total", local_cluster="ledger", envoy_tcp_prefix="public_listener"
    )
    assert allowed.label("local_cluster") == "ledger" and allowed.rate == connections > 0
    assert quiet.rate("envoy_connect_authz_rbac_denied") == 0
    denying = Mesh(MeshConfig(tcp_service=True, incidents=Incidents()), start=0).truth()
    assert denying.rate("envoy_connect_authz_rbac_denied", local_cluster="ledger") == 0.125
