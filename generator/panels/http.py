"""Inbound (downstream) HTTP panels: what a service's sidecar answered."""

from __future__ import annotations

from grafanalib.core import TimeSeries

from generator.flavors import Flavor, as_flavor
from generator.panels.common import DEFAULT_OBJECTIVE, label, status_colors, target, timeseries
from generator.queries import render_query


def downstream_request_rate(
    *, flavor: Flavor | str | None = None, service: str = "$service", width: int = 12
) -> TimeSeries:
    """Inbound request rate of `$service` by response class.

    ```promql
    sum by (local_cluster, envoy_response_code_class) (
      rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
           envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    expr = render_query("http/downstream_request_rate", flavor=flavor, service=service)
    return timeseries(
        title="Inbound requests by response class",
        description=(
            "Requests per second that the service's sidecar answered on its public "
            "listener, split by response class (2xx, 4xx, 5xx). A rising 5xx line is "
            "what the service's callers see as errors."
        ),
        unit="reqps",
        targets=[
            target(
                expr,
                legend=f"{label(flavor.proxy_label)} {label(flavor.code_class_label)}xx",
            )
        ],
        width=width,
        overrides=status_colors(),
    )


def downstream_success_ratio(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    objective: float = DEFAULT_OBJECTIVE,
    width: int = 12,
) -> TimeSeries:
    """Share of inbound requests of `$service` that were not answered with a 5xx.

    ```promql
    sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener", envoy_response_code_class!="5"}[$__rate_interval]))
    / sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    expr = render_query("http/downstream_success_ratio", flavor=flavor, service=service)
    return timeseries(
        title="Inbound success ratio",
        description=(
            "Share of inbound requests answered without a 5xx; red below the objective. "
            "Retries towards a failing upstream keep this up while latency grows."
        ),
        unit="percentunit",
        targets=[target(expr, legend=label(flavor.proxy_label))],
        width=width,
        min_value=0,
        max_value=1,
        objective=objective,
    )
