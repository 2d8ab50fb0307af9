"""Mesh-wide panels: one stat per service and figure, linking to the service dashboard.

The overview repeats a row per `$service`; each row holds these three stats. With
`mesh=True` a stat sums every selected service instead: the mesh totals on top.
"""

from __future__ import annotations

from grafanalib.core import Stat, Threshold

from generator.flavors import Flavor, as_flavor
from generator.panels.common import (
    DEFAULT_OBJECTIVE,
    check_objective,
    check_quantile,
    grid,
    label,
    target,
)
from generator.queries import render_query
from generator.variables import DATASOURCE_REF

STAT_WIDTH = 8
STAT_HEIGHT = 5


def service_request_rate(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    link_uid: str | None = None,
    mesh: bool = False,
) -> Stat:
    """Inbound requests per second of `$service`.

    ```promql
    sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    return _stat(
        title="Requests/s",
        description="Requests per second answered on the service's public listener.",
        unit="reqps",
        template="overview/request_rate",
        flavor=flavor,
        params={"service": service},
        mesh=mesh,
        link_uid=link_uid,
        thresholds=[Threshold("blue", 0, 0.0)],
    )


def service_error_ratio(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    link_uid: str | None = None,
    objective: float = DEFAULT_OBJECTIVE,
    mesh: bool = False,
) -> Stat:
    """Share of inbound requests of `$service` answered with a 5xx (0 when there are none).

    Red above `1 - objective` (1% for the default 99% success objective).

    ```promql
    (sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener", envoy_response_code_class="5"}[$__rate_interval]))
     or 0 * sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval])))
    / sum by (local_cluster) (rate(envoy_listener_http_downstream_rq_xx{local_cluster=~"$service",
        envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    check_objective("5xx ratio", objective)
    budget = round(1 - objective, 12)
    return _stat(
        title="5xx ratio",
        description=f"Share of inbound requests answered with a 5xx; red above {budget:.2%}.",
        unit="percentunit",
        template="overview/error_ratio",
        flavor=flavor,
        params={"service": service},
        mesh=mesh,
        link_uid=link_uid,
        thresholds=[Threshold("green", 0, 0.0), Threshold("red", 1, budget)],
    )


def service_latency(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    quantile: float = 0.99,
    link_uid: str | None = None,
    mesh: bool = False,
) -> Stat:
    """Inbound p99 request time of `$service` in milliseconds, measured by its own sidecar.

    ```promql
    histogram_quantile(0.99, sum by (le, local_cluster) (rate(envoy_http_downstream_rq_time_bucket{
        local_cluster=~"$service", envoy_http_conn_manager_prefix="public_listener"}[$__rate_interval])))
    ```
    """
    flavor = as_flavor(flavor)
    check_quantile("service latency", quantile)
    return _stat(
        title=f"p{quantile * 100:g} latency",
        description=(
            "Inbound request time quantile from the service's own sidecar "
            "(milliseconds); orange above 250 ms."
        ),
        unit="ms",
        template="overview/inbound_quantile",
        flavor=flavor,
        params={"service": service, "quantile": quantile},
        mesh=mesh,
        link_uid=link_uid,
        thresholds=[Threshold("green", 0, 0.0), Threshold("orange", 1, 250.0)],
    )


def _stat(
    *,
    title: str,
    description: str,
    unit: str,
    template: str,
    flavor: Flavor,
    params: dict[str, object],
    mesh: bool,
    link_uid: str | None,
    thresholds: list[Threshold],
) -> Stat:
    by = "" if mesh else flavor.proxy_label
    expr = render_query(template, flavor=flavor, by=by, **params)
    # The service dashboard of the same flavor: both sets may live in one Grafana.
    link_uid = link_uid or flavor.uid("service")
    service = "$__all" if mesh else params["service"]
    url = f"/d/{link_uid}?var-service={service}&${{__url_time_range}}"
    return Stat(
        title=f"Mesh {title[0].lower()}{title[1:]}" if mesh else title,
        description=f"Every selected service together. {description}" if mesh else description,
        dataSource=DATASOURCE_REF,
        targets=[target(expr, legend="mesh" if mesh else label(by))],
        format=unit,
        gridPos=grid(STAT_WIDTH, STAT_HEIGHT),
        reduceCalc="lastNotNull",
        graphMode="area",
        colorMode="value",
        textMode="value",
        thresholds=thresholds,
        links=[{"title": "Open the service dashboard", "url": url}],
    )
