"""Connection panels from `$service` to `$upstream`: TCP services, and HTTP ones' connections.

Envoy keeps connection stats on every cluster, HTTP or TCP (`upstream_cx_*`), so with
Consul and plain Envoy these panels show every upstream. Istio reports `istio_tcp_*`
for TCP traffic only: its panels are empty for an HTTP upstream, and say so to
`meshdash validate` (may be empty).
"""

from __future__ import annotations

from grafanalib.core import TimeSeries

from generator.errors import FlavorError
from generator.flavors import Flavor, as_flavor
from generator.panels.common import REF_IDS, check_quantiles, label, target, timeseries
from generator.queries import render_query

DEFAULT_QUANTILES = (0.5, 0.99)


def upstream_connections(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Connections from `$service` to `$upstream`: opened per second, open now, failed.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_total{
        consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    sum by (consul_destination_service) (envoy_cluster_upstream_cx_active{
        consul_source_service=~"$service", consul_destination_service=~"$upstream"})
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_connect_fail{
        consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    With Istio the second query is connections closed per second (it has no gauge).
    """
    flavor = as_flavor(flavor)
    params = {"flavor": flavor, "service": service, "upstream": upstream}
    second = (
        ("connections_active", "open")
        if flavor.cluster_stats
        else ("connections_closed", "closed/s")
    )
    queries = [
        ("connections_opened", "opened/s"),
        second,
        ("connect_failures", "connect failures/s"),
    ]
    return timeseries(
        title=f"Connections to {upstream}",
        description=(
            f"Connections {service}'s sidecar opened to {upstream} per second, those open "
            "now (Istio: closed per second), and connections that failed to establish."
        ),
        unit="short",
        targets=[
            target(
                render_query(f"tcp/{name}", **params),
                legend=f"{label(flavor.destination_label)} {what}",
                ref_id=REF_IDS[index],
                may_be_empty=not flavor.cluster_stats,
            )
            for index, (name, what) in enumerate(queries)
        ],
        width=width,
    )


def upstream_bytes(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Bytes per second `$service` sent to `$upstream` and received from it.

    Istio: `istio_tcp_*` bytes for TCP, the HTTP bodies (`istio_request_bytes`,
    `istio_response_bytes`) otherwise.

    ```promql
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_tx_bytes_total{
        consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    sum by (consul_destination_service) (rate(envoy_cluster_upstream_cx_rx_bytes_total{
        consul_source_service=~"$service", consul_destination_service=~"$upstream"}[$__rate_interval]))
    ```
    """
    flavor = as_flavor(flavor)
    params = {"flavor": flavor, "service": service, "upstream": upstream}
    return timeseries(
        title=f"Bytes to and from {upstream}",
        description=f"Bytes per second on {service}'s connections to {upstream}, each way.",
        unit="Bps",
        targets=[
            target(
                render_query(f"tcp/bytes_{way}", **params),
                legend=f"{label(flavor.destination_label)} {way}",
                ref_id=ref_id,
            )
            for ref_id, way in (("A", "sent"), ("B", "received"))
        ],
        width=width,
    )


def upstream_connection_length(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    quantiles: tuple[float, ...] = DEFAULT_QUANTILES,
    width: int = 12,
) -> TimeSeries:
    """How long connections from `$service` to `$upstream` stay open (ms), p50 and p99.

    ```promql
    histogram_quantile(0.5, sum by (le, consul_destination_service) (rate(
        envoy_cluster_upstream_cx_length_ms_bucket{consul_source_service=~"$service",
        consul_destination_service=~"$upstream"}[$__rate_interval])))
    histogram_quantile(0.99, sum by (le, consul_destination_service) (rate(
        envoy_cluster_upstream_cx_length_ms_bucket{consul_source_service=~"$service",
        consul_destination_service=~"$upstream"}[$__rate_interval])))
    ```
    """
    flavor = as_flavor(flavor)
    if not flavor.cluster_stats:
        raise FlavorError(
            f"upstream_connection_length reads Envoy's cluster stats, which the {flavor.name!r} "
            "flavor does not scrape; leave the panel out"
        )
    title = f"Connection length to {upstream}"
    check_quantiles(title, quantiles)
    params = {"flavor": flavor, "service": service, "upstream": upstream}
    return timeseries(
        title=title,
        description=f"How long {service}'s connections to {upstream} stayed open (milliseconds).",
        unit="ms",
        targets=[
            target(
                render_query("tcp/connection_length_quantile", quantile=q, **params),
                legend=f"{label(flavor.destination_label)} p{q * 100:g}",
                ref_id=REF_IDS[index],
            )
            for index, q in enumerate(quantiles)
        ],
        width=width,
    )
