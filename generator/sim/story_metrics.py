"""Metric families of the demo's security, release and resilience story (issue 11).

Appended to :data:`generator.sim.metrics.METRICS`; kept apart so that the
catalogue of the observability story stays as it was. Names and types were
checked against Envoy's and Consul's docs and source (see docs/metrics.md).
"""

from __future__ import annotations

from typing import Literal

StoryType = Literal["counter", "gauge", "histogram"]

#: The series a release controller or CI emits, one per release event; its value is the
#: event's unix time in seconds and its ``event`` label the text (named only here).
RELEASE_EVENT_METRIC = "meshdash_release_event"

STORY_METRICS: tuple[tuple[str, StoryType, str], ...] = (
    ("envoy_connect_authz_rbac_allowed", "counter", "Consul L4 intentions: connections allowed"),
    ("envoy_connect_authz_rbac_denied", "counter", "Consul L4 intentions: connections denied"),
    ("envoy_http_rbac_allowed", "counter", "HTTP RBAC (L7 intentions): requests allowed"),
    ("envoy_http_rbac_denied", "counter", "HTTP RBAC (L7 intentions): requests denied"),
    ("envoy_http_rbac_shadow_allowed", "counter", "HTTP RBAC shadow rules: would allow"),
    ("envoy_http_rbac_shadow_denied", "counter", "HTTP RBAC shadow rules: would deny"),
    ("envoy_listener_ssl_handshake", "counter", "inbound TLS handshakes"),
    ("envoy_listener_ssl_connection_error", "counter", "inbound TLS errors, not verification"),
    ("envoy_listener_ssl_fail_verify_no_cert", "counter", "inbound TLS: no client certificate"),
    ("envoy_listener_ssl_fail_verify_san", "counter", "inbound TLS: SAN verification failed"),
    ("envoy_listener_ssl_fail_verify_error", "counter", "inbound TLS: CA verification failed"),
    ("envoy_cluster_ssl_handshake", "counter", "upstream TLS handshakes"),
    ("envoy_cluster_ssl_connection_error", "counter", "upstream TLS errors, not verification"),
    ("envoy_cluster_ssl_fail_verify_error", "counter", "upstream TLS: CA verification failed"),
    ("envoy_server_days_until_first_cert_expiring", "gauge", "days until a certificate expires"),
    ("envoy_cluster_upstream_cx_connect_timeout", "counter", "upstream connect timeouts"),
    ("envoy_cluster_upstream_cx_none_healthy", "counter", "connections refused: no healthy host"),
    ("envoy_cluster_upstream_cx_overflow", "counter", "connection circuit breaker overflows"),
    (
        "envoy_cluster_upstream_cx_destroy_remote_with_active_rq",
        "counter",
        "connections the upstream closed with requests active",
    ),
    ("envoy_cluster_grpc_7", "counter", "gRPC calls with status 7, PERMISSION_DENIED"),
    (RELEASE_EVENT_METRIC, "gauge", "release events: value is the unix time, text in `event`"),
)
