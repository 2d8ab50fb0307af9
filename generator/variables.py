"""Dashboard variables: `$datasource`, `$service` and `$upstream`.

`$service` is extracted exactly as in the classic demo: the variable query is
the bare metric `envoy_cluster_upstream_rq_time_bucket`, and Grafana applies the
regex `/consul_destination_service="([^"]*).*/` to each series' text, keeping
the first capture group. `$upstream` is chained on `$service`: only the
destinations that the selected services call. Both are multi-valued with an
"All" option whose value is `.+`, so every query matches them with `=~`.
"""

from __future__ import annotations

from grafanalib.core import Template

from generator.flavors import Flavor, as_flavor
from generator.queries import render_query

DATASOURCE_REF = {"type": "prometheus", "uid": "${datasource}"}
ALL_VALUE = ".+"
#: Grafana's value for "All selected"
ALL = "$__all"
REFRESH_ON_TIME_RANGE_CHANGE = 2
SORT_ALPHABETICAL_ASC = 1


def datasource(*, label: str = "Data source") -> Template:
    """The Prometheus data source every panel and variable queries."""
    return Template(
        name="datasource",
        label=label,
        type="datasource",
        query="prometheus",
        refresh=1,
        hide=0,
    )


def service(
    *, flavor: Flavor | str | None = None, label: str = "Service", all_by_default: bool = False
) -> Template:
    """Services that some sidecar calls, taken from the series' destination label.

    Query: `query_result(count by (consul_destination_service) (envoy_cluster_upstream_rq_time_bucket{le="+Inf"}))`
    Regex: `/consul_destination_service="([^"]*).*/`
    """
    flavor = as_flavor(flavor)
    return _query_variable(
        name="service",
        label=label,
        query=render_query("variables/services", flavor=flavor),
        regex=flavor.service_regex,
        all_by_default=all_by_default,
    )


def upstream(*, flavor: Flavor | str | None = None, label: str = "Upstream") -> Template:
    """Upstreams that the selected `$service` calls.

    Query: `query_result(count by (consul_destination_service) (envoy_cluster_upstream_rq_time_bucket{le="+Inf", consul_source_service=~"$service"}))`
    Regex: `/consul_destination_service="([^"]*).*/`
    """
    flavor = as_flavor(flavor)
    return _query_variable(
        name="upstream",
        label=label,
        query=render_query("variables/upstreams", flavor=flavor, service="$service"),
        regex=flavor.service_regex,
    )


def _query_variable(
    *, name: str, label: str, query: str, regex: str, all_by_default: bool = False
) -> Template:
    return Template(
        name=name,
        label=label,
        type="query",
        query=query,
        regex=regex,
        dataSource=DATASOURCE_REF,
        multi=True,
        includeAll=True,
        allValue=ALL_VALUE,
        refresh=REFRESH_ON_TIME_RANGE_CHANGE,
        sort=SORT_ALPHABETICAL_ASC,
        default=ALL if all_by_default else None,
    )
