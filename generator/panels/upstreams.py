"""Outbound (upstream) panels: what a service's sidecar saw from the services it calls."""

from __future__ import annotations

from grafanalib.core import TimeSeries

from generator.flavors import Flavor, as_flavor
from generator.panels.common import DEFAULT_OBJECTIVE, label, status_colors, target, timeseries
from generator.queries import render_query


def upstream_request_rate(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    external: bool = False,
    width: int = 12,
) -> TimeSeries:
    """Upstream responses from `$service` to `$upstream`, by response code.

    ```promql
    sum by (consul_destination_service, envoy_response_code) (
      rate(envoy_cluster_upstream_rq{consul_source_service=~"$service",
           consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    With `external=True` the metric is `envoy_cluster_external_upstream_rq`:
    requests that came from outside the mesh (no `x-envoy-internal` header).
    """
    flavor = as_flavor(flavor)
    metric = "envoy_cluster_external_upstream_rq" if external else "envoy_cluster_upstream_rq"
    expr = render_query(
        "upstream/request_rate", flavor=flavor, service=service, upstream=upstream, metric=metric
    )
    origin = "external-origin " if external else ""
    return timeseries(
        title=f"Upstream {origin}requests to {upstream} by response code",
        description=(
            f"Responses per second that the sidecar of {service} received from {upstream} "
            f"for {origin}requests, by HTTP response code. Every attempt counts, retries "
            "included, so a failing upstream shows its error codes here even when "
            "retries hide them from the caller."
        ),
        unit="reqps",
        targets=[
            target(
                expr,
                legend=(f"{label(flavor.destination_label)} {label(flavor.code_label)}"),
            )
        ],
        width=width,
        overrides=status_colors(),
    )


def upstream_success_ratio(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    objective: float = DEFAULT_OBJECTIVE,
    width: int = 12,
) -> TimeSeries:
    """Share of upstream responses from `$upstream` to `$service` that are not 5xx.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_xx{consul_source_service=~"$service",
        consul_destination_service=~"$upstream", envoy_response_code_class!="5"}[$__rate_interval]))
    / sum by (consul_destination_service) (rate(envoy_cluster_upstream_rq_xx{
        consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    expr = render_query("upstream/success_ratio", flavor=flavor, service=service, upstream=upstream)
    return timeseries(
        title=f"Upstream success ratio of {upstream}",
        description=(
            f"Share of the responses {service} received from {upstream} that were not 5xx, "
            "counted per attempt: the upstream's own health, before retries."
        ),
        unit="percentunit",
        targets=[target(expr, legend=label(flavor.destination_label))],
        width=width,
        min_value=0,
        max_value=1,
        objective=objective,
    )
