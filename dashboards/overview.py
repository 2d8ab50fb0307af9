"""Every service of the mesh on one screen: a row per service, each linking to its dashboard."""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import CONSUL
from generator.panels import overview
from generator.variables import datasource, service

OVERVIEW = Dashboard(
    uid="meshdash-overview",
    title="Service mesh / Overview",
    description=(
        "Every service with an inbound listener: request rate, 5xx ratio and p99 latency, "
        "one row per service. Click a figure to open the service's dashboard."
    ),
    tags=["service-mesh", "envoy", "consul"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=CONSUL, all_by_default=True)],
    rows=[
        Row(
            "$service",
            [
                overview.service_request_rate(flavor=CONSUL),
                overview.service_error_ratio(flavor=CONSUL),
                overview.service_latency(flavor=CONSUL),
            ],
            repeat="service",
        )
    ],
)
