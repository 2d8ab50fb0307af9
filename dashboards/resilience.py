"""The demo's resilience story: why calls from `$service` to `$upstream` fail.

Consul flavor; every panel reads the caller's clusters (Envoy's cluster statistics).
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import CONSUL
from generator.panels import resilience
from generator.variables import datasource, service, upstream

RESILIENCE = Dashboard(
    uid="meshdash-resilience",
    title="Service mesh / Resilience",
    description=(
        "Why calls from `$service` to `$upstream` fail: connection and request failures by "
        "reason, circuit breakers, outlier ejections, healthy endpoints, and gRPC success "
        "that counts grpc-status, not HTTP 200."
    ),
    tags=["service-mesh", "envoy", "consul", "resilience"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=CONSUL), upstream(flavor=CONSUL)],
    rows=[
        Row(
            "Failures: $service -> $upstream",
            [
                resilience.connection_failures(flavor=CONSUL),
                resilience.request_failures(flavor=CONSUL),
            ],
        ),
        Row(
            "Protection: breakers, ejections, endpoints",
            [
                resilience.circuit_breakers_open(flavor=CONSUL),
                resilience.outlier_ejections(flavor=CONSUL),
                resilience.endpoint_health(flavor=CONSUL),
                resilience.grpc_success_ratio(flavor=CONSUL),
            ],
        ),
    ],
)
