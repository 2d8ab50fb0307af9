"""The demo's release story: versions of `$upstream` side by side, the split, retries hiding v2.

A version is a Consul service-resolver subset, or Istio's `destination_version`;
built for the current flavor (`meshdash build --flavor istio`), Consul for plain
Envoy, which has no version label of its own. Release events from the
`meshdash_release_event` series are drawn as annotations.
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import CONSUL, ISTIO, current_flavor
from generator.panels import release, resilience
from generator.panels._release_events import release_annotation
from generator.variables import datasource, service, upstream

FLAVOR = ISTIO if current_flavor() is ISTIO else CONSUL
# What hides a failing version: retries (Istio's standard metrics have none; its response
# flags say why calls failed).
RETRIES = (
    release.retry_outcomes(flavor=FLAVOR, width=24)
    if FLAVOR.cluster_stats
    else resilience.failure_flags(flavor=FLAVOR, flags=resilience.GAVE_UP_FLAGS, width=24)
)

RELEASE = Dashboard(
    uid=FLAVOR.uid("release"),
    title=FLAVOR.title("Release"),
    description=(
        "A release of `$upstream` as `$service` sees it: requests, traffic share, error "
        "ratio and p99 per version side by side, the caller's own error ratio beside the "
        "versions', and what its retries did. Release events are annotations."
    ),
    tags=["service-mesh", "envoy", FLAVOR.name, "release"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=FLAVOR), upstream(flavor=FLAVOR)],
    rows=[
        Row(
            "Versions of $upstream",
            [
                release.version_request_rate(flavor=FLAVOR),
                release.version_traffic_share(flavor=FLAVOR),
                release.version_error_ratio(flavor=FLAVOR),
                release.version_latency(flavor=FLAVOR),
                RETRIES,
            ],
            repeat="upstream",
        ),
    ],
    extra={"annotations": {"list": [release_annotation(service="$upstream")]}},
)
