"""Every service of the mesh on one screen: a row per service, each linking to its dashboard.

Built for the current flavor (`meshdash build --flavor istio`): its uid and title
name the mesh, so the sets of several meshes can live in one Grafana.
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import current_flavor
from generator.panels import overview
from generator.variables import datasource, service

FLAVOR = current_flavor()

OVERVIEW = Dashboard(
    uid=FLAVOR.uid("overview"),
    title=FLAVOR.title("Overview"),
    description=(
        "Every service with inbound traffic: the mesh's request rate, 5xx ratio and p99 "
        "latency on top, then one row per service. Click a figure to open the service's "
        "dashboard."
    ),
    tags=["service-mesh", "envoy", FLAVOR.name],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(all_by_default=True)],
    rows=[
        Row(
            "Mesh: every selected service together",
            [
                overview.service_request_rate(mesh=True),
                overview.service_error_ratio(mesh=True),
                overview.service_latency(mesh=True),
            ],
        ),
        Row(
            "$service",
            [
                overview.service_request_rate(),
                overview.service_error_ratio(),
                overview.service_latency(),
            ],
            repeat="service",
        ),
    ],
)
