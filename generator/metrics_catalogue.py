"""Every Envoy/Consul/Istio metric family meshdash knows, with its Prometheus type.

The one catalogue, imported by the simulator, the panels, lint and validate.

:data:`METRICS` is the one table; :data:`METRIC_TYPES` (family -> ``counter`` |
``gauge`` | ``histogram``) is derived from it and used by the lint rules (rate
over a gauge) and the simulator's exposition. Histogram families are named
without ``_bucket``/``_sum``/``_count``; :func:`sample_type` maps a sample name.
``simulated`` says whether the mesh simulator emits the family.

Semantics the simulator implements (Envoy's cluster_stats doc):

- ``envoy_cluster_upstream_rq_total``: every attempt, retries included.
- ``envoy_cluster_upstream_rq`` / ``_rq_xx`` / ``_rq_completed`` and their
  ``external_`` twins: **final** responses only, the ones sent downstream
  (all mesh traffic counts as external origin).
- ``envoy_cluster_retry_upstream_rq`` / ``_rq_xx`` / ``_rq_completed``:
  responses that triggered a retry (not sent downstream), so
  ``upstream_rq_total = upstream_rq_completed + retry_upstream_rq_completed``.
- ``envoy_cluster_upstream_rq_retry``: retries (attempts after the first);
  ``_retry_success``: requests retried at least once that finally succeeded;
  ``_retry_limit_exceeded``: requests whose last allowed attempt failed.
- ``envoy_cluster_upstream_rq_time``: one observation per request at its final
  response, measured from the downstream request: failed attempts and retry
  backoff are included (so retries add latency); ``_count`` equals
  ``upstream_rq_completed``.
- ``envoy_cluster_upstream_cx_total``: one connection per 64 attempts, and the
  callee's ``envoy_listener_downstream_cx_total``/``_cx_destroy`` match it;
  ``_cx_active``/``_rq_active`` follow Little's law over the request time.
- ``circuit_breakers_<priority>_remaining_*``: Envoy's default thresholds minus
  what is in use (nothing runs at ``high`` priority); the ``*_open`` flags, and
  every timeout, overflow, reset, connect failure and ejection, stay 0.
- Counters grow at fractional per-second rates (a fluid model), so their
  values are not integers as Envoy's are.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Literal

MetricType = Literal["counter", "gauge", "histogram"]


@dataclass(frozen=True)
class Metric:
    """One metric family: its name, type, meaning, and whether the simulator emits it."""

    name: str
    type: MetricType
    help: str
    simulated: bool = False


_C, _G, _H = "counter", "gauge", "histogram"

# The demo's security, release and resilience story (issue 11), kept as its own table so
# the observability story's catalogue stays as it was; names and types checked against
# Envoy's and Consul's docs and source (see docs/metrics.md).
#: The series a release controller or CI emits, one per release event; its value is the
#: event's unix time in seconds and its ``event`` label the text (named only here).
RELEASE_EVENT_METRIC = "meshdash_release_event"

STORY_METRICS: tuple[tuple[str, MetricType, str], ...] = (
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


_CLUSTER: tuple[tuple[str, MetricType, str, bool], ...] = (
    ("upstream_rq_total", _C, "every attempt, retries included", True),
    ("upstream_rq_xx", _C, "final responses by envoy_response_code_class", True),
    ("upstream_rq", _C, "final responses by envoy_response_code", True),
    ("upstream_rq_completed", _C, "final responses", True),
    ("upstream_rq_time", _H, "request time in ms, retries included", True),
    ("external_upstream_rq", _C, "external-origin final responses by code", True),
    ("external_upstream_rq_xx", _C, "external-origin final responses by class", True),
    ("external_upstream_rq_completed", _C, "external-origin final responses", True),
    ("external_upstream_rq_time", _H, "external-origin request time in ms", True),
    ("retry_upstream_rq", _C, "responses that triggered a retry, by code", True),
    ("retry_upstream_rq_xx", _C, "responses that triggered a retry, by class", True),
    ("retry_upstream_rq_completed", _C, "responses that triggered a retry", True),
    ("upstream_rq_retry", _C, "retries (attempts after the first)", True),
    ("upstream_rq_retry_success", _C, "retried requests that finally succeeded", True),
    ("upstream_rq_retry_overflow", _C, "retries refused by circuit breaking or budget", True),
    ("upstream_rq_retry_limit_exceeded", _C, "requests not retried: num_retries reached", True),
    ("upstream_rq_timeout", _C, "requests that timed out", True),
    ("upstream_rq_per_try_timeout", _C, "attempts that hit the per-try timeout", True),
    ("upstream_rq_pending_overflow", _C, "requests refused by circuit breaking", True),
    ("upstream_rq_rx_reset", _C, "requests reset by the upstream", True),
    ("upstream_rq_tx_reset", _C, "requests reset locally", True),
    ("upstream_rq_active", _G, "requests in flight", True),
    ("upstream_rq_pending_active", _G, "requests waiting for a connection", True),
    ("upstream_cx_active", _G, "open upstream connections", True),
    ("upstream_cx_total", _C, "upstream connections opened", True),
    ("upstream_cx_connect_fail", _C, "upstream connection failures", True),
    ("upstream_cx_rx_bytes_total", _C, "bytes received from the upstream", True),
    ("upstream_cx_tx_bytes_total", _C, "bytes sent to the upstream", True),
    ("upstream_cx_length_ms", _H, "connection length in ms", True),
    ("membership_healthy", _G, "healthy endpoints", True),
    ("membership_total", _G, "endpoints", True),
    ("outlier_detection_ejections_active", _G, "endpoints ejected now", True),
    ("outlier_detection_ejections_enforced_total", _C, "enforced ejections", True),
    ("grpc_FakeService_Handle_success", _C, "gRPC calls with status OK", True),
    ("grpc_FakeService_Handle_failure", _C, "gRPC calls with another status", True),
    ("grpc_FakeService_Handle_total", _C, "gRPC calls", True),
    ("grpc_FakeService_Handle_0", _C, "gRPC calls with status 0 (OK)", True),
    ("grpc_success", _C, "gRPC OK calls (tag-extracted form)", True),
    ("grpc_failure", _C, "gRPC failed calls (tag-extracted form)", True),
    ("grpc_total", _C, "gRPC calls (tag-extracted form)", True),
    ("grpc_0", _C, "gRPC calls with status 0, OK (tag-extracted form)", True),
)

_BREAKERS: tuple[tuple[str, MetricType, str, bool], ...] = tuple(
    (f"circuit_breakers_{priority}_{what}", _G, "circuit breaker state or headroom", True)
    for priority, what in itertools.product(
        ("default", "high"),
        (
            *("cx_open", "cx_pool_open", "rq_open", "rq_pending_open", "rq_retry_open"),
            *("remaining_cx", "remaining_pending", "remaining_rq", "remaining_retries"),
        ),
    )
)

_OTHER: tuple[tuple[str, MetricType, str, bool], ...] = (
    ("envoy_http_downstream_rq_total", _C, "requests received by a connection manager", True),
    ("envoy_http_downstream_rq_xx", _C, "responses sent, by class", True),
    ("envoy_http_downstream_rq_time", _H, "downstream request time in ms", True),
    ("envoy_http_downstream_cx_active", _G, "open downstream connections", True),
    ("envoy_listener_http_downstream_rq_xx", _C, "responses sent per listener, by class", True),
    ("envoy_listener_downstream_cx_active", _G, "open connections per listener", True),
    ("envoy_listener_downstream_cx_total", _C, "connections accepted per listener", True),
    ("envoy_listener_downstream_cx_destroy", _C, "connections closed per listener", True),
    ("envoy_tcp_downstream_cx_total", _C, "connections a TCP proxy accepted", True),
    ("envoy_tcp_downstream_cx_rx_bytes_total", _C, "bytes a TCP proxy received", True),
    ("envoy_tcp_downstream_cx_tx_bytes_total", _C, "bytes a TCP proxy sent", True),
    ("istio_requests_total", _C, "Istio: requests", True),
    ("istio_tcp_sent_bytes_total", _C, "Istio: TCP bytes sent", True),
    ("istio_tcp_received_bytes_total", _C, "Istio: TCP bytes received", True),
    ("istio_tcp_connections_opened_total", _C, "Istio: TCP connections opened", True),
    ("istio_tcp_connections_closed_total", _C, "Istio: TCP connections closed", True),
    ("istio_request_duration_milliseconds", _H, "Istio: request duration in ms", True),
    ("istio_request_bytes", _H, "Istio: request size in bytes", True),
    ("istio_response_bytes", _H, "Istio: response size in bytes", True),
)

METRICS: tuple[Metric, ...] = (
    *(Metric(f"envoy_cluster_{name}", *rest) for name, *rest in _CLUSTER + _BREAKERS),
    *(Metric(*row) for row in _OTHER),
    *(Metric(name, kind, text, True) for name, kind, text in STORY_METRICS),
)

METRIC_TYPES: dict[str, str] = {m.name: m.type for m in METRICS}

_HISTOGRAM_SUFFIXES = ("_bucket", "_sum", "_count")


def sample_type(sample_name: str) -> str | None:
    """The type of the family a sample belongs to (``..._bucket`` -> ``histogram``)."""
    if sample_name in METRIC_TYPES:
        return METRIC_TYPES[sample_name]
    for suffix in _HISTOGRAM_SUFFIXES:
        family = sample_name.removesuffix(suffix)
        if family != sample_name and METRIC_TYPES.get(family) == "histogram":
            return "histogram"
    return None
