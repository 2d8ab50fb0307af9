"""The demo's release story: versions of `$upstream` side by side, the split, retries hiding v2.

Consul flavor: a version is a service-resolver subset. Release events from the
`meshdash_release_event` series are drawn as annotations.
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import CONSUL
from generator.panels import release
from generator.panels._release_events import release_annotation
from generator.variables import datasource, service, upstream

RELEASE = Dashboard(
    uid="meshdash-release",
    title="Service mesh / Release",
    description=(
        "A release of `$upstream` as `$service` sees it: requests, traffic share, error "
        "ratio and p99 per version side by side, the caller's own error ratio beside the "
        "versions', and what its retries did. Release events are annotations."
    ),
    tags=["service-mesh", "envoy", "consul", "release"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=CONSUL), upstream(flavor=CONSUL)],
    rows=[
        Row(
            "Versions of $upstream",
            [
                release.version_request_rate(flavor=CONSUL),
                release.version_traffic_share(flavor=CONSUL),
                release.version_error_ratio(flavor=CONSUL),
                release.version_latency(flavor=CONSUL),
            ],
        ),
        Row(
            "Retries: what hides a failing version",
            [release.retry_outcomes(flavor=CONSUL, width=24)],
        ),
    ],
    extra={"annotations": {"list": [release_annotation(service="$upstream")]}},
)
