"""The classic demo's story for one `$service`: what it answers, what it calls, how fast, how often it retries.

Built for the current flavor (`meshdash build --flavor istio`); panels a mesh
cannot show (Envoy's external-origin stats under Istio) are left out.
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import current_flavor
from generator.panels import callers, http, latency, resilience, retries, tcp, upstreams
from generator.variables import datasource, service, upstream

FLAVOR = current_flavor()

SERVICE = Dashboard(
    uid=FLAVOR.uid("service"),
    title=FLAVOR.title("Service"),
    description=(
        "One service in the mesh: inbound requests by response class, who calls it and "
        "what the callers saw, calls to each upstream, upstream latency quantiles and "
        "retries. Pick the service at the top."
    ),
    tags=["service-mesh", "envoy", FLAVOR.name],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(), upstream()],
    rows=[
        Row(
            "Inbound: what $service answers",
            [http.downstream_request_rate(), http.downstream_success_ratio()],
        ),
        Row(
            "Callers: who calls $service, and what they saw",
            [
                callers.requests_by_caller(),
                callers.failure_gap(),
                callers.caller_error_ratio(),
                callers.caller_latency(),
                callers.connections_by_caller(width=24),
            ],
        ),
        Row(
            "Upstream: $service -> $upstream",
            [
                upstreams.upstream_request_rate(),
                *([upstreams.upstream_request_rate(external=True)] if FLAVOR.cluster_stats else []),
                latency.upstream_latency(),
                retries.upstream_retries()
                if FLAVOR.cluster_stats
                else resilience.failure_flags(flags=resilience.GAVE_UP_FLAGS),
                upstreams.upstream_success_ratio(width=24),
            ],
            repeat="upstream",
        ),
        Row(
            "Connections: $service -> $upstream",
            [
                tcp.upstream_connections(),
                tcp.upstream_bytes(),
                *([tcp.upstream_connection_length(width=24)] if FLAVOR.cluster_stats else []),
            ],
            repeat="upstream",
        ),
    ],
)
