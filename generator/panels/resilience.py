"""Why calls fail, per upstream: Envoy's failure counters, breakers, ejections, endpoints, gRPC.

Every panel looks from the caller's sidecar (`$service`) at its clusters towards
`$upstream`; the counters are Envoy's cluster statistics (cluster_stats.rst).
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from grafanalib.core import Target, TimeSeries

from generator.errors import DefinitionError, FlavorError
from generator.flavors import Flavor, as_flavor
from generator.panels._story import cluster_counter_targets
from generator.panels.common import REF_IDS, label, target, timeseries
from generator.queries import render_query

#: Connection-level failures: (cluster statistic, what the legend calls it).
CONNECTION_FAILURES = (
    ("upstream_cx_connect_fail", "connect failures"),
    ("upstream_cx_connect_timeout", "connect timeouts"),
    ("upstream_cx_none_healthy", "no healthy upstream"),
    ("upstream_cx_overflow", "connection overflow"),
)
#: Request-level failures.
REQUEST_FAILURES = (
    ("upstream_rq_timeout", "request timeouts"),
    ("upstream_rq_per_try_timeout", "per-try timeouts"),
    ("upstream_rq_rx_reset", "reset by upstream (rx)"),
    ("upstream_rq_tx_reset", "reset locally (tx)"),
    ("upstream_rq_pending_overflow", "pending overflow"),
    ("upstream_cx_destroy_remote_with_active_rq", "remote close with active requests"),
)
#: Circuit breaker flags (gauges, 1 while open) per priority.
BREAKER_FLAGS = ("cx_open", "cx_pool_open", "rq_open", "rq_pending_open", "rq_retry_open")
#: Envoy's response flags (%RESPONSE_FLAGS%) that failure_flags explains, in this order.
FLAG_MEANINGS = {
    "UF": "connect failure",
    "UH": "no healthy upstream",
    "UO": "circuit breaker overflow",
    "UT": "timeout",
    "UR": "reset by the upstream",
    "LR": "reset locally",
    "UC": "upstream closed the connection",
    "URX": "retries exhausted",
    "NR": "no route",
}
#: The calls a caller's sidecar gave up on: where Istio has no retry counters.
GAVE_UP_FLAGS = ("URX", "UO", "UT", "UF", "UH", "NR")


def _gauge_target(
    flavor: Flavor, metric: str, legend: str, ref_id: str, *, service: str, upstream: str
) -> Target:
    expr = render_query(
        "resilience/cluster_gauge",
        flavor=flavor,
        service=service,
        upstream=upstream,
        metric=metric,
        aggregation="max" if metric.endswith("_open") else "sum",
    )
    return target(expr, legend=f"{label(flavor.destination_label)} {legend}", ref_id=ref_id)


def connection_failures(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Connections from `$service` to `$upstream` that failed, by reason.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_connect_fail{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_connect_timeout{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_none_healthy{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_overflow{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    return timeseries(
        title=f"Connection failures to {upstream}",
        description=(
            f"Connections {service}'s sidecar could not open to {upstream}, per second: "
            "connect failures and timeouts (the upstream is down or unreachable), no healthy "
            "upstream (every endpoint failed health checks or was ejected), and connection "
            "overflow (the max_connections circuit breaker refused one)."
        ),
        unit="cps",
        targets=cluster_counter_targets(
            flavor, CONNECTION_FAILURES, service=service, upstream=upstream
        ),
        width=width,
    )


def request_failures(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Requests from `$service` to `$upstream` that Envoy itself failed, by reason.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_timeout{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_per_try_timeout{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_rx_reset{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_tx_reset{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_pending_overflow{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_destroy_remote_with_active_rq{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    return timeseries(
        title=f"Request failures to {upstream}",
        description=(
            f"Requests from {service} to {upstream} that failed in the proxy, per second: "
            "route timeouts and per-try timeouts, streams reset by the upstream (rx) or "
            "locally (tx), requests refused by the pending-requests circuit breaker, and "
            "connections the upstream closed while requests were in flight. Each one is a "
            "503 or a reset that the upstream's own dashboards never see."
        ),
        unit="reqps",
        targets=cluster_counter_targets(
            flavor, REQUEST_FAILURES, service=service, upstream=upstream
        ),
        width=width,
    )


def circuit_breakers_open(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    priority: str = "default",
    width: int = 12,
) -> TimeSeries:
    """Circuit breakers of `$service`'s clusters to `$upstream` that are open now (1 = open).

    ```promql
    max by (consul_destination_service) (envoy_cluster_circuit_breakers_default_cx_open{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    ```promql
    max by (consul_destination_service) (envoy_cluster_circuit_breakers_default_cx_pool_open{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    ```promql
    max by (consul_destination_service) (envoy_cluster_circuit_breakers_default_rq_open{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    ```promql
    max by (consul_destination_service) (envoy_cluster_circuit_breakers_default_rq_pending_open{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    ```promql
    max by (consul_destination_service) (envoy_cluster_circuit_breakers_default_rq_retry_open{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    `priority="high"` shows the high-priority breakers instead.
    """
    flavor = as_flavor(flavor)
    targets = [
        _gauge_target(
            flavor,
            f"envoy_cluster_circuit_breakers_{priority}_{flag}",
            f"{priority} {flag.removesuffix('_open')}",
            REF_IDS[index],
            service=service,
            upstream=upstream,
        )
        for index, flag in enumerate(BREAKER_FLAGS)
    ]
    return timeseries(
        title=f"Circuit breakers open to {upstream} ({priority} priority)",
        description=(
            f"1 while a {priority}-priority circuit breaker of {service}'s clusters to "
            f"{upstream} is open: connections (cx), connection pools, requests (rq), "
            "pending requests or retries (rq_retry) at their limit. While rq_retry is "
            "open, failed attempts are not retried (retry overflow) and callers see the "
            "upstream's errors."
        ),
        unit="bool_on_off",
        targets=targets,
        width=width,
        min_value=0,
        max_value=1,
    )


def outlier_ejections(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Endpoints of `$upstream` ejected by `$service`'s outlier detection, and ejections enforced.

    ```promql
    sum by (consul_destination_service) (envoy_cluster_outlier_detection_ejections_active{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_outlier_detection_ejections_enforced_total{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    params = {"service": service, "upstream": upstream}
    active = _gauge_target(
        flavor, "envoy_cluster_outlier_detection_ejections_active", "ejected now", "A", **params
    )
    enforced = cluster_counter_targets(
        flavor,
        [("outlier_detection_ejections_enforced_total", "ejections enforced/s")],
        **params,
    )[0]
    enforced.refId = "B"
    return timeseries(
        title=f"Outlier ejections of {upstream}",
        description=(
            f"Endpoints of {upstream} that {service}'s outlier detection has ejected right "
            "now (passive health checking: consecutive 5xx, gateway errors, success rate), "
            "and ejections enforced per second. Ejected endpoints get no traffic until "
            "their ejection time ends."
        ),
        unit="short",
        targets=[active, enforced],
        width=width,
    )


def endpoint_health(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Healthy and total endpoints of `$upstream` as `$service`'s sidecar sees them.

    ```promql
    sum by (consul_destination_service) (envoy_cluster_membership_healthy{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    ```promql
    sum by (consul_destination_service) (envoy_cluster_membership_total{consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    ```
    """
    flavor = as_flavor(flavor)
    params = {"service": service, "upstream": upstream}
    return timeseries(
        title=f"Healthy endpoints of {upstream}",
        description=(
            f"Endpoints of {upstream} that {service}'s sidecar may send to (healthy) next to "
            "all it knows (total). A gap means endpoints failed health checks or were "
            "ejected; no healthy endpoint at all means every call fails with 503 (UH)."
        ),
        unit="short",
        targets=[
            _gauge_target(flavor, "envoy_cluster_membership_healthy", "healthy", "A", **params),
            _gauge_target(flavor, "envoy_cluster_membership_total", "total", "B", **params),
        ],
        width=width,
        min_value=0,
    )


def grpc_success_ratio(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Share of `$service`'s gRPC calls to `$upstream` answered with grpc-status OK, per method.

    ```promql
    (sum by (consul_destination_service, envoy_grpc_bridge_service, envoy_grpc_bridge_method) (rate(envoy_cluster_grpc_success{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval])) or 0 * sum by (consul_destination_service, envoy_grpc_bridge_service, envoy_grpc_bridge_method) (rate(envoy_cluster_grpc_total{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))) / sum by (consul_destination_service, envoy_grpc_bridge_service, envoy_grpc_bridge_method) (rate(envoy_cluster_grpc_total{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    Empty for upstreams that are not gRPC (the gRPC stats filter counts gRPC calls only).
    """
    flavor = as_flavor(flavor)
    expr = render_query(
        "resilience/grpc_success_ratio", flavor=flavor, service=service, upstream=upstream
    )
    legend = (
        f"{label(flavor.destination_label)} "
        "{{envoy_grpc_bridge_service}}/{{envoy_grpc_bridge_method}}"
    )
    return timeseries(
        title=f"gRPC success to {upstream} by method",
        description=(
            f"Share of {service}'s gRPC calls to {upstream} whose grpc-status is 0 (OK), per "
            "service and method, from Envoy's gRPC stats filter. A failed gRPC call is "
            "usually answered with HTTP 200, so the HTTP success ratio calls it a success; "
            "this one does not."
        ),
        unit="percentunit",
        targets=[target(expr, legend=legend, may_be_empty=True)],
        width=width,
        min_value=0,
        max_value=1,
    )


def _istio_only(builder: str, flavor: Flavor) -> None:
    if flavor.cluster_stats:
        raise FlavorError(
            f"{builder} reads Istio's standard metrics, not {flavor.name!r}'s; "
            "use connection_failures, request_failures or grpc_success_ratio"
        )


def failure_flags(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    flags: Sequence[str] = (),
    width: int = 12,
) -> TimeSeries:
    """Calls from `$service` to `$upstream` that its sidecar flagged, by response flag (Istio).

    ```promql
    sum by (destination_canonical_service, response_flags) (
      rate(istio_requests_total{reporter="source", source_canonical_service=~"$service",
           destination_canonical_service=~"$upstream", response_flags!="-"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    `flags=GAVE_UP_FLAGS` keeps the calls the sidecar gave up on (retries exhausted,
    overflow, timeout, connect failure, no healthy upstream, no route), matched with
    `response_flags=~".*(URX|UO|UT|UF|UH|NR).*"` since one call may carry several flags:
    what stands in for Envoy's retry counters, which Istio's standard metrics lack.
    """
    flavor = as_flavor(flavor)
    _istio_only("failure_flags", flavor)
    malformed = [flag for flag in flags if not re.fullmatch("[A-Z]+", flag)]
    if malformed:
        # The flags go into a regex matcher: only Envoy's flag names may.
        raise DefinitionError(
            f"failure_flags: {', '.join(map(repr, malformed))} is not a response flag "
            f"name; give names like {', '.join(GAVE_UP_FLAGS)}"
        )
    expr = render_query(
        "resilience/response_flags",
        flavor=flavor,
        service=service,
        upstream=upstream,
        flags=list(flags),
    )
    shown = ", ".join(
        f"{flag} {FLAG_MEANINGS.get(flag, '')}".strip() for flag in flags or FLAG_MEANINGS
    )
    return timeseries(
        title=f"Why calls to {upstream} fail (response flags)",
        description=(
            f"Calls per second from {service} to {upstream} that its sidecar flagged, by "
            f"Envoy's response flag: {shown}. Empty is healthy. Retry and circuit breaker "
            "counts themselves need Envoy's cluster stats (proxyStatsMatcher, see the README)."
        ),
        unit="reqps",
        targets=[
            target(
                expr,
                legend=f"{label(flavor.destination_label)} {label('response_flags')}",
                # A healthy upstream has no flagged calls at all.
                may_be_empty=True,
            )
        ],
        width=width,
    )


def grpc_statuses(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """gRPC calls from `$service` to `$upstream` by grpc-status (Istio).

    ```promql
    sum by (destination_canonical_service, grpc_response_status) (
      rate(istio_requests_total{reporter="source", source_canonical_service=~"$service",
           destination_canonical_service=~"$upstream", request_protocol="grpc"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    Empty for upstreams that are not gRPC.
    """
    flavor = as_flavor(flavor)
    _istio_only("grpc_statuses", flavor)
    expr = render_query("resilience/grpc_status", flavor=flavor, service=service, upstream=upstream)
    return timeseries(
        title=f"gRPC calls to {upstream} by status",
        description=(
            f"gRPC calls per second from {service} to {upstream} by grpc-status: 0 OK, "
            "7 PERMISSION_DENIED, 14 UNAVAILABLE, 2 UNKNOWN, ... A failed gRPC call is "
            "usually HTTP 200, so only this status tells success from failure."
        ),
        unit="reqps",
        targets=[
            target(
                expr,
                legend=f"{label(flavor.destination_label)} status {label('grpc_response_status')}",
                may_be_empty=True,
            )
        ],
        width=width,
    )
