"""The classic demo's story for one `$service`: what it answers, what it calls, how fast, how often it retries."""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import CONSUL
from generator.panels import http, latency, retries, upstream
from generator.variables import datasource, service
from generator.variables import upstream as upstream_variable

SERVICE = Dashboard(
    uid="meshdash-service",
    title="Service mesh / Service",
    description=(
        "One service in the mesh: inbound requests by response class, calls to each "
        "upstream, upstream latency quantiles and retries. Pick the service at the top."
    ),
    tags=["service-mesh", "envoy", "consul"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=CONSUL), upstream_variable(flavor=CONSUL)],
    rows=[
        Row(
            "Inbound: what $service answers",
            [
                http.downstream_request_rate(flavor=CONSUL),
                http.downstream_success_ratio(flavor=CONSUL),
            ],
        ),
        Row(
            "Upstream: $service -> $upstream",
            [
                upstream.upstream_request_rate(flavor=CONSUL),
                upstream.upstream_request_rate(flavor=CONSUL, external=True),
                latency.upstream_latency(flavor=CONSUL),
                retries.upstream_retries(flavor=CONSUL),
                upstream.upstream_success_ratio(flavor=CONSUL, width=24),
            ],
            repeat="upstream",
        ),
    ],
)
