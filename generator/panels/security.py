"""Security panels: authorization decisions, what denied callers see, mTLS and certificates.

Consul compiles intentions into Envoy's RBAC filters on each sidecar's public
listener: the HTTP RBAC filter (`http.<prefix>.rbac.*`) for http, http2 and grpc
services, the network RBAC filter with stat prefix `connect_authz` for tcp ones.
Istio's AuthorizationPolicy uses the same filters.
"""

from __future__ import annotations

from grafanalib.core import Stat, Target, Threshold, TimeSeries

from generator.errors import FlavorError
from generator.flavors import Flavor, as_flavor
from generator.panels._story import cluster_counter_targets
from generator.panels.common import REF_IDS, grid, label, target, timeseries
from generator.queries import render_query
from generator.variables import DATASOURCE_REF

#: The network RBAC filter's stat prefix per flavor (Consul: `connect_authz`).
L4_RBAC_METRICS = {"consul": "envoy_connect_authz_rbac", "envoy": "envoy_connect_authz_rbac"}
INBOUND_TLS = (
    ("handshake", "handshakes"),
    ("connection_error", "connection errors"),
    ("fail_verify_no_cert", "no client certificate"),
    ("fail_verify_san", "SAN verification failed"),
    ("fail_verify_error", "CA verification failed"),
)
OUTBOUND_TLS = (
    ("ssl_handshake", "handshakes"),
    ("ssl_connection_error", "connection errors"),
    ("ssl_fail_verify_error", "CA verification failed"),
)


def _proxy_target(
    flavor: Flavor, metric: str, legend: str, ref_id: str, *, service: str, matchers: str = ""
) -> Target:
    expr = render_query(
        "security/proxy_rate",
        flavor=flavor,
        service=service,
        metric=metric,
        extra_matchers=matchers,
    )
    return target(expr, legend=f"{label(flavor.proxy_label)} {legend}", ref_id=ref_id)


def l7_authorization(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """Requests `$service`'s HTTP RBAC filter allowed and denied; shadow rules' verdicts.

    ```promql
    sum by (local_cluster) (rate(envoy_http_rbac_allowed{local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_http_rbac_denied{local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_http_rbac_shadow_allowed{local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_http_rbac_shadow_denied{local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    The shadow queries are empty unless shadow rules are configured.
    """
    flavor = as_flavor(flavor)
    matchers = f', envoy_http_conn_manager_prefix="{flavor.inbound_prefix}"'
    targets = [
        _proxy_target(
            flavor, f"envoy_http_rbac_{verdict}", verdict.replace("_", " "), REF_IDS[index],
            service=service, matchers=matchers,
        )
        for index, verdict in enumerate(("allowed", "denied", "shadow_allowed", "shadow_denied"))
    ]  # fmt: skip
    for shadow in targets[2:]:
        shadow.expr = target(shadow.expr, legend="", may_be_empty=True).expr
    return timeseries(
        title=f"L7 authorization on {service} (HTTP RBAC)",
        description=(
            f"Requests per second that {service}'s HTTP RBAC filter allowed or denied: "
            "Consul's intentions for http and grpc services (L7 rules on paths, methods "
            "and headers included), Istio's AuthorizationPolicy. Shadow verdicts are what "
            "a policy in shadow mode would decide; they change nothing."
        ),
        unit="reqps",
        targets=targets,
        width=width,
    )


def l4_authorization(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """Connections `$service`'s network RBAC filter (Consul: `connect_authz`) allowed and denied.

    ```promql
    sum by (local_cluster) (rate(envoy_connect_authz_rbac_allowed{local_cluster=~"$service"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_connect_authz_rbac_denied{local_cluster=~"$service"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    Empty for services whose protocol is not tcp: their intentions are HTTP RBAC rules.
    """
    flavor = as_flavor(flavor)
    prefix = L4_RBAC_METRICS[flavor.name]
    targets = []
    for ref_id, verdict in (("A", "allowed"), ("B", "denied")):
        made = _proxy_target(flavor, f"{prefix}_{verdict}", verdict, ref_id, service=service)
        targets.append(
            target(made.expr, legend=made.legendFormat, ref_id=ref_id, may_be_empty=True)
        )
    return timeseries(
        title=f"L4 authorization on {service} (network RBAC)",
        description=(
            f"Connections per second that {service}'s network RBAC filter allowed or "
            "denied: Consul's intentions for tcp services (stat prefix connect_authz). A "
            "denied connection is closed at once; the caller sees a reset or a connect "
            "failure, never a 403."
        ),
        unit="cps",
        targets=targets,
        width=width,
    )


def denied_callers(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """What denied callers of `$service` see: HTTP 403 per caller, gRPC PERMISSION_DENIED per method.

    ```promql
    sum by (consul_source_service, consul_destination_service) (rate(envoy_cluster_upstream_rq{consul_destination_service=~"$service", envoy_response_code="403"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    ```promql
    sum by (consul_source_service, consul_destination_service, envoy_grpc_bridge_service, envoy_grpc_bridge_method) (rate(envoy_cluster_grpc_7{consul_destination_service=~"$service"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    Both are empty while nobody is denied: Envoy creates per-code counters on first use.
    """
    flavor = as_flavor(flavor)
    source, destination = label(flavor.source_label), label(flavor.destination_label)
    # Envoy's gRPC stats filter names the method; Istio's standard labels do not.
    method = "{{envoy_grpc_bridge_service}}/{{envoy_grpc_bridge_method}} " * flavor.cluster_stats
    http = render_query("security/forbidden_responses", flavor=flavor, service=service)
    grpc = render_query("security/grpc_permission_denied", flavor=flavor, service=service)
    return timeseries(
        title=f"Denied calls to {service}, as callers see them",
        description=(
            f"Responses per second that callers' sidecars got from {service}: HTTP 403 "
            "(an L7 intention or AuthorizationPolicy denied the request), and gRPC calls "
            "answered PERMISSION_DENIED (grpc-status 7) per method, which travel as HTTP 200. "
            "gRPC methods need the gRPC stats filter on the callers' sidecars."
        ),
        unit="reqps",
        targets=[
            target(http, legend=f"{source} -> {destination} 403", ref_id="A", may_be_empty=True),
            target(
                grpc,
                legend=f"{source} -> {destination} {method}PERMISSION_DENIED",
                ref_id="B",
                may_be_empty=True,
            ),
        ],
        width=width,
    )


def inbound_tls(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """mTLS handshakes and failures on `$service`'s inbound listeners.

    ```promql
    sum by (local_cluster) (rate(envoy_listener_ssl_handshake{local_cluster=~"$service"}[$__rate_interval]))
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_listener_ssl_connection_error{local_cluster=~"$service"}[$__rate_interval]))
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_listener_ssl_fail_verify_no_cert{local_cluster=~"$service"}[$__rate_interval]))
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_listener_ssl_fail_verify_san{local_cluster=~"$service"}[$__rate_interval]))
    ```
    ```promql
    sum by (local_cluster) (rate(envoy_listener_ssl_fail_verify_error{local_cluster=~"$service"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    targets = [
        _proxy_target(flavor, f"envoy_listener_ssl_{stat}", legend, REF_IDS[i], service=service)
        for i, (stat, legend) in enumerate(INBOUND_TLS)
    ]
    return timeseries(
        title=f"Inbound mTLS on {service}",
        description=(
            f"TLS handshakes per second on {service}'s listeners, and the ones that failed: "
            "connection errors, callers without a client certificate, and certificates "
            "whose SAN (the caller's SPIFFE identity) or CA did not verify: a caller from "
            "another trust domain, or a CA rotation that did not reach every sidecar."
        ),
        unit="cps",
        targets=targets,
        width=width,
    )


def outbound_tls(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """mTLS handshakes and failures of `$service`'s sidecar towards each upstream.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_ssl_handshake{consul_source_service=~"$service", consul_destination_service=~".+"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_ssl_connection_error{consul_source_service=~"$service", consul_destination_service=~".+"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_ssl_fail_verify_error{consul_source_service=~"$service", consul_destination_service=~".+"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    """
    flavor = as_flavor(flavor)
    return timeseries(
        title=f"Outbound mTLS from {service}",
        description=(
            f"TLS handshakes per second that {service}'s sidecar made to each upstream, "
            "and the ones that failed (connection errors, upstream certificates whose CA "
            "did not verify)."
        ),
        unit="cps",
        # A service that calls nothing has no upstream clusters.
        targets=cluster_counter_targets(
            flavor, OUTBOUND_TLS, service=service, upstream=".+", may_be_empty=True
        ),
        width=width,
    )


def certificate_expiry(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    warn_days: float = 1.0,
    width: int = 12,
) -> Stat:
    """Days until the first certificate of `$service`'s sidecars expires; red under `warn_days`.

    ```promql
    min by (local_cluster) (envoy_server_days_until_first_cert_expiring{local_cluster=~"$service"})
    ```
    """
    flavor = as_flavor(flavor)
    expr = render_query("security/cert_days", flavor=flavor, service=service)
    return Stat(
        title=f"Days until a certificate of {service} expires",
        description=(
            f"The fewest days any certificate of {service}'s sidecars has left "
            f"(server.days_until_first_cert_expiring). Red under {warn_days:g} day(s): "
            "Consul's leaf certificates live 72 hours and are renewed well before, so a "
            "low value means rotation is stuck (the CA or the agent is unreachable)."
        ),
        dataSource=DATASOURCE_REF,
        targets=[target(expr, legend=label(flavor.proxy_label))],
        format="d",
        gridPos=grid(width, 8, title="certificate expiry"),
        reduceCalc="lastNotNull",
        graphMode="none",
        colorMode="background",
        textMode="value_and_name",
        thresholds=[Threshold("red", 0, 0.0), Threshold("green", 1, warn_days)],
    )


def mtls_share(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """Share of the requests `$service` received by connection security policy, in percent (Istio).

    ```promql
    100 * sum by (destination_canonical_service, connection_security_policy) (
      rate(istio_requests_total{reporter="destination", destination_canonical_service=~"$service"}[$__rate_interval]))
    / on (destination_canonical_service) group_left sum by (destination_canonical_service) (
      rate(istio_requests_total{reporter="destination", destination_canonical_service=~"$service"}[$__rate_interval]))
    ```
    Consul has no such label: every call between its sidecars is mTLS.
    """
    flavor = as_flavor(flavor)
    if flavor.cluster_stats:
        raise FlavorError(
            f"mtls_share needs Istio's connection_security_policy label, not {flavor.name!r}"
        )
    expr = render_query("security/mtls_share", flavor=flavor, service=service)
    return timeseries(
        title=f"mTLS share of requests to {service}",
        description=(
            f"Percentage of the requests {service} received over mutual TLS "
            "(connection_security_policy mutual_tls) and in plaintext (none), as its own "
            "sidecar reports them. Plaintext is accepted only in PERMISSIVE mode; under "
            "STRICT it should be 0."
        ),
        unit="percent",
        targets=[
            target(
                expr,
                legend=f"{label(flavor.destination_label)} {label('connection_security_policy')}",
            )
        ],
        width=width,
        min_value=0,
        max_value=100,
    )
