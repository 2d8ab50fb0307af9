"""The demo's resilience story: why calls from `$service` to `$upstream` fail.

Built for the current flavor: Consul and plain Envoy read the caller's
clusters (Envoy's cluster statistics); Istio reads its standard metrics (response
flags and gRPC statuses), its cluster stats being off unless proxyStatsMatcher
includes them.
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import current_flavor
from generator.panels import resilience
from generator.variables import datasource, service, upstream

FLAVOR = current_flavor()

if FLAVOR.cluster_stats:
    FAILURES = [
        resilience.connection_failures(flavor=FLAVOR),
        resilience.request_failures(flavor=FLAVOR),
    ]
    # Istio's proxies keep no breaker, ejection or membership stats by default.
    PROTECTION = [
        Row(
            "Protection: breakers, ejections, endpoints of $upstream",
            [
                resilience.circuit_breakers_open(flavor=FLAVOR),
                resilience.outlier_ejections(flavor=FLAVOR),
                resilience.endpoint_health(flavor=FLAVOR),
                resilience.grpc_success_ratio(flavor=FLAVOR),
            ],
            repeat="upstream",
        ),
    ]
else:
    FAILURES = [resilience.failure_flags(flavor=FLAVOR), resilience.grpc_statuses(flavor=FLAVOR)]
    PROTECTION = []

RESILIENCE = Dashboard(
    uid=FLAVOR.uid("resilience"),
    title=FLAVOR.title("Resilience"),
    description=(
        "Why calls from `$service` to `$upstream` fail: connection and request failures by "
        "reason, circuit breakers, outlier ejections, healthy endpoints, and gRPC success "
        "that counts grpc-status, not HTTP 200."
    ),
    tags=["service-mesh", "envoy", FLAVOR.name, "resilience"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=FLAVOR), upstream(flavor=FLAVOR)],
    rows=[Row("Failures: $service -> $upstream", FAILURES, repeat="upstream"), *PROTECTION],
)
