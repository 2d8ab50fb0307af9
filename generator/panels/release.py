"""Release panels: each version of an upstream side by side, and the retries that hide failures.

A version is Consul's service-resolver subset (`consul_destination_service_subset`);
plain Envoy has one cluster per version (`envoy_cluster_name`). A flavor that names
its own `version_label` wins over this table.
"""

from __future__ import annotations

from grafanalib.core import TimeSeries

from generator.flavors import Flavor, as_flavor
from generator.panels._story import cluster_counter_targets
from generator.panels.common import check_quantile, label, target, timeseries
from generator.queries import render_query

VERSION_LABELS = {
    "consul": "consul_destination_service_subset",
    "envoy": "envoy_cluster_name",
    "istio": "destination_version",
}
RETRY_COUNTERS = (
    ("upstream_rq_retry", "retries"),
    ("upstream_rq_retry_success", "retry successes"),
    ("upstream_rq_retry_overflow", "retry overflow"),
    ("upstream_rq_retry_limit_exceeded", "retry limit exceeded"),
)


def _version_label(flavor: Flavor) -> str:
    """The label that names an upstream's version under `flavor`."""
    return str(getattr(flavor, "version_label", None) or VERSION_LABELS[flavor.name])


def _params(flavor: Flavor, service: str, upstream: str) -> dict[str, object]:
    label = _version_label(flavor)
    return {"flavor": flavor, "service": service, "upstream": upstream, "version_label": label}


def _legend(flavor: Flavor) -> str:
    return f"{label(flavor.destination_label)} {label(_version_label(flavor))}"


def version_request_rate(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Requests from `$service` to each version of `$upstream` per second.

    ```promql
    sum by (consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_upstream_rq_completed{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", ""))
    ```
    """
    flavor = as_flavor(flavor)
    expr = render_query("release/version_rate", **_params(flavor, service, upstream))
    return timeseries(
        title=f"Requests to each version of {upstream}",
        description=(
            f"Requests per second that {service} sent to each version of {upstream} "
            "(completed requests, so retries count once)."
        ),
        unit="reqps",
        targets=[target(expr, legend=_legend(flavor))],
        width=width,
    )


def version_traffic_share(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Each version's share of `$service`'s requests to `$upstream`, in percent (100 per upstream).

    ```promql
    100 * sum by (consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_upstream_rq_completed{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", "")) / on (consul_destination_service) group_left sum by (consul_destination_service) (label_replace(rate(envoy_cluster_upstream_rq_completed{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", ""))
    ```
    """
    flavor = as_flavor(flavor)
    expr = render_query("release/version_share", **_params(flavor, service, upstream))
    return timeseries(
        title=f"Traffic split of {upstream}",
        description=(
            f"The split as observed: each version's percentage of the requests {service} "
            f"sent to {upstream}; the versions of one upstream add up to 100. A canary "
            "step (10% to 50%) shows here, next to its error ratio."
        ),
        unit="percent",
        targets=[target(expr, legend=_legend(flavor))],
        width=width,
        min_value=0,
        max_value=100,
    )


def version_error_ratio(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Share of attempts to each version of `$upstream` answered 5xx, next to `$service`'s own.

    ```promql
    ((sum by (consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_upstream_rq_xx{consul_source_service=~"$service", consul_destination_service=~"$upstream", envoy_response_code_class="5"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", "")) or 0 * sum by (consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_upstream_rq_total{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", ""))) + (sum by (consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_retry_upstream_rq_xx{consul_source_service=~"$service", consul_destination_service=~"$upstream", envoy_response_code_class="5"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", "")) or 0 * sum by (consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_upstream_rq_total{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", "")))) / sum by (consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_upstream_rq_total{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", ""))
    ```
    ```promql
    (sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener", envoy_response_code_class="5"}[$__rate_interval])) or 0 * sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))) / sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    per_version = render_query("release/version_error_ratio", **_params(flavor, service, upstream))
    # `by`: the template also serves a mesh-wide ratio (no `by`); here, per service.
    caller = render_query(
        "overview/error_ratio", flavor=flavor, service=service, by=flavor.proxy_label
    )
    return timeseries(
        title=f"Error ratio per version of {upstream} vs {service}'s own",
        description=(
            f"Per version of {upstream}: the share of attempts answered 5xx, retried ones "
            f"included (the version's own health). Beside it, the share of {service}'s own "
            "inbound requests answered 5xx: what its callers see. A version failing 25% "
            "while the caller stays near 0% means retries are hiding it."
        ),
        unit="percentunit",
        targets=[
            target(per_version, legend=_legend(flavor), ref_id="A"),
            target(caller, legend=f"{label(flavor.proxy_label)} (caller)", ref_id="B"),
        ],
        width=width,
        min_value=0,
        max_value=1,
    )


def version_latency(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    quantile: float = 0.99,
    width: int = 12,
) -> TimeSeries:
    """Request time quantile (p99 by default) of each version of `$upstream`, in milliseconds.

    ```promql
    histogram_quantile(0.99, sum by (le, consul_destination_service, consul_destination_service_subset) (label_replace(rate(envoy_cluster_upstream_rq_time_bucket{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]), "consul_destination_service_subset", "all", "consul_destination_service_subset", "")))
    ```
    """
    flavor = as_flavor(flavor)
    title = f"p{quantile * 100:g} latency per version of {upstream}"
    check_quantile(title, quantile)
    expr = render_query(
        "release/version_quantile", quantile=quantile, **_params(flavor, service, upstream)
    )
    return timeseries(
        title=title,
        description=(
            f"The p{quantile * 100:g} request time {service} saw from each version of "
            f"{upstream}, failed attempts and retry backoff included (milliseconds)."
        ),
        unit="ms",
        targets=[target(expr, legend=_legend(flavor))],
        width=width,
    )


def retry_outcomes(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Retries from `$service` to `$upstream`: made, succeeded, refused (overflow), given up.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_retry{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_retry_success{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_retry_overflow{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_retry_limit_exceeded{consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    return timeseries(
        title=f"Retries to {upstream}: made, succeeded, refused, given up",
        description=(
            f"Retries {service}'s sidecar made to {upstream} per second; requests whose "
            "retry succeeded; retries refused by the retry budget or the retry circuit "
            "breaker (overflow: the caller gets the error); and requests that failed on "
            "their last allowed attempt (limit exceeded)."
        ),
        unit="reqps",
        targets=cluster_counter_targets(flavor, RETRY_COUNTERS, service=service, upstream=upstream),
        width=width,
    )
