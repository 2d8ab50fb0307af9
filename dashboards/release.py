"""The demo's release story: versions of `$upstream` side by side, the split, retries hiding v2.

A version is a Consul service-resolver subset, or Istio's `destination_version`;
built for the current flavor (`meshdash build --flavor istio`). Plain Envoy has no
version label of its own, so its dashboard shows the retries and events only. Release events from the
`meshdash_release_event` series are drawn as annotations.
"""

from generator.dashboard import Dashboard, DashboardLink, Row
from generator.flavors import current_flavor
from generator.panels import release, resilience
from generator.panels._release_events import release_annotation
from generator.variables import datasource, service, upstream

FLAVOR = current_flavor()
# What hides a failing version: retries (Istio's standard metrics have none; its response
# flags say why calls failed).
RETRIES = (
    release.retry_outcomes(flavor=FLAVOR, width=24)
    if FLAVOR.cluster_stats
    else resilience.failure_flags(flavor=FLAVOR, flags=resilience.GAVE_UP_FLAGS, width=24)
)

# Plain Envoy tags no stat with a version (a subset load balancer's hosts share one
# cluster), so its dashboard keeps the retries and the release events only.
VERSIONED = FLAVOR.name != "envoy"
VERSIONS = (
    [
        release.version_request_rate(flavor=FLAVOR),
        release.version_traffic_share(flavor=FLAVOR),
        release.version_error_ratio(flavor=FLAVOR),
        release.version_latency(flavor=FLAVOR),
    ]
    if VERSIONED
    else []
)
DESCRIPTION = (
    "A release of `$upstream` as `$service` sees it: requests, traffic share, error "
    "ratio and p99 per version side by side, the caller's own error ratio beside the "
    "versions', and what its retries did. Release events are annotations."
    if VERSIONED
    else "A release of `$upstream` as `$service` sees it: what the caller's retries did, "
    "with release events as annotations. Plain Envoy tags no stat with a version, so "
    "the per-version panels of the Consul and Istio dashboards are left out."
)

RELEASE = Dashboard(
    uid=FLAVOR.uid("release"),
    title=FLAVOR.title("Release"),
    description=DESCRIPTION,
    tags=["service-mesh", "envoy", FLAVOR.name, "release"],
    folder="Service Mesh",
    links=[DashboardLink(title="Service mesh", tags=["service-mesh"])],
    variables=[datasource(), service(flavor=FLAVOR), upstream(flavor=FLAVOR)],
    rows=[
        Row(
            "Versions of $upstream" if VERSIONED else "Retries to $upstream",
            [*VERSIONS, RETRIES],
            repeat="upstream",
        ),
    ],
    extra={"annotations": {"list": [release_annotation(service="$upstream")]}},
)
