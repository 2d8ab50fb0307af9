"""Who calls me: `$service`'s traffic as its callers saw it, beside what it answered.

A caller's own sidecar counts what it sent and what came back (its cluster towards
`$service`); `$service`'s sidecar counts what reached it. The two differ by the
failures that never reached the service (connect failures, overflows, no healthy
endpoint: positive gap) and by the failed attempts the callers' retries hid
(negative gap).
"""

from __future__ import annotations

from grafanalib.core import Target, TimeSeries

from generator.flavors import Flavor, as_flavor
from generator.panels.common import check_quantile, label, target, timeseries
from generator.queries import render_query


def _callers_and_own(
    flavor: Flavor,
    service: str,
    templates: tuple[str, str],
    own: str,
    *,
    may_be_empty: tuple[bool, bool] = (False, False),
) -> list[Target]:
    """What each caller's sidecar counted (A) beside what `service`'s own counted (B)."""
    callers, service_own = (
        render_query(f"callers/{t}", flavor=flavor, service=service) for t in templates
    )
    return [
        target(
            callers,
            legend=f"{label(flavor.caller)} -> {label(flavor.destination_label)}",
            may_be_empty=may_be_empty[0],
        ),
        target(
            service_own,
            legend=f"{label(flavor.proxy_label)} {own}",
            ref_id="B",
            may_be_empty=may_be_empty[1],
        ),
    ]


def requests_by_caller(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """Requests to `$service` per caller (the callers' count), and what `$service` answered.

    ```promql
    sum by (consul_destination_service, consul_source_service) (
      rate(envoy_cluster_upstream_rq_xx{consul_destination_service=~"$service"}[$__rate_interval]))
    sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    return timeseries(
        title=f"Requests to {service} by caller",
        description=(
            "Requests per second each caller sent, counted by the caller's own sidecar "
            "(final responses), and the requests the service's sidecar answered (every "
            "attempt). Answered above the callers' sum means retries; below means "
            "requests failed before they reached the service."
        ),
        unit="reqps",
        targets=_callers_and_own(flavor, service, ("request_rate", "answered_rate"), "answered"),
        width=width,
    )


def caller_error_ratio(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """Share of each caller's requests to `$service` that came back 5xx, as the caller saw them.

    ```promql
    (sum by (consul_destination_service, consul_source_service) (rate(envoy_cluster_upstream_rq_xx{
        consul_destination_service=~"$service", envoy_response_code_class="5"}[$__rate_interval]))
     or 0 * sum by (consul_destination_service, consul_source_service) (rate(envoy_cluster_upstream_rq_xx{
        consul_destination_service=~"$service"}[$__rate_interval])))
    / sum by (consul_destination_service, consul_source_service) (rate(envoy_cluster_upstream_rq_xx{
        consul_destination_service=~"$service"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    return timeseries(
        title=f"Error ratio of {service} as each caller saw it",
        description=(
            "Share of each caller's requests that came back 5xx, from the caller's own "
            "sidecar: what the caller's users felt, after its retries."
        ),
        unit="percentunit",
        targets=[
            target(
                render_query("callers/error_ratio", flavor=flavor, service=service),
                legend=f"{label(flavor.caller)} -> {label(flavor.destination_label)}",
            )
        ],
        width=width,
        min_value=0,
        max_value=1,
    )


def caller_latency(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    quantile: float = 0.99,
    width: int = 12,
) -> TimeSeries:
    """Request time quantile of each caller's requests to `$service` (ms), caller-side.

    ```promql
    histogram_quantile(0.99, sum by (le, consul_destination_service, consul_source_service) (
      rate(envoy_cluster_upstream_rq_time_bucket{consul_destination_service=~"$service"}[$__rate_interval])))
    ```
    """
    flavor = as_flavor(flavor)
    title = f"p{quantile * 100:g} latency of {service} as each caller saw it"
    check_quantile(title, quantile)
    return timeseries(
        title=title,
        description=(
            "Request time per caller measured by the caller's sidecar (milliseconds): the "
            "service's own time plus the network, queueing and the caller's retries."
        ),
        unit="ms",
        targets=[
            target(
                render_query("callers/quantile", flavor=flavor, service=service, quantile=quantile),
                legend=f"{label(flavor.caller)} -> {label(flavor.destination_label)}",
            )
        ],
        width=width,
    )


def failure_gap(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """5xx the callers of `$service` received beside the 5xx `$service` itself sent.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_xx{
        consul_destination_service=~"$service", envoy_response_code_class="5"}[$__rate_interval]))
    # meshdash: may be empty
    sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener", envoy_response_code_class="5"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    """
    flavor = as_flavor(flavor)
    params = {"flavor": flavor, "service": service}
    return timeseries(
        title=f"Failures: callers saw vs {service} answered",
        description=(
            "5xx per second the callers received (their sidecars' count) and 5xx the "
            "service's sidecar sent. Callers above the service: failures that never "
            "reached it (connect failure, overflow, no healthy endpoint). Service above "
            "the callers: failures the callers' retries hid. Both empty is healthy."
        ),
        unit="reqps",
        targets=[
            target(
                render_query("callers/failures_seen", **params),
                legend=f"{label(flavor.destination_label)} callers saw 5xx",
                # A healthy service has no 5xx series at all.
                may_be_empty=True,
            ),
            target(
                render_query("callers/failures_answered", **params),
                legend=f"{label(flavor.proxy_label)} answered 5xx",
                ref_id="B",
                may_be_empty=True,
            ),
        ],
        width=width,
    )


def connections_by_caller(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """Connections each caller opened to `$service`, and those its TCP proxy accepted.

    The view of a TCP service, which has no requests.

    ```promql
    sum by (consul_destination_service, consul_source_service) (
      rate(envoy_cluster_upstream_cx_total{consul_destination_service=~"$service"}[$__rate_interval]))
    sum by (local_cluster) (rate(envoy_tcp_downstream_cx_total{local_cluster=~"$service",
        envoy_tcp_prefix="public_listener"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    """
    flavor = as_flavor(flavor)
    return timeseries(
        title=f"Connections to {service} by caller",
        description=(
            "Connections per second each caller's sidecar opened to the service, and those "
            "the service's TCP proxy accepted (a TCP service; an HTTP one has none). With "
            "Istio both count TCP traffic only."
        ),
        unit="short",
        targets=_callers_and_own(
            flavor,
            service,
            ("connections", "connections_accepted"),
            "accepted",
            # Istio's istio_tcp_* exist for TCP traffic only; an HTTP service has no TCP proxy.
            may_be_empty=(not flavor.cluster_stats, True),
        ),
        width=width,
    )
