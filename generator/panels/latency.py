"""Latency panels, from Envoy's request time histograms (milliseconds)."""

from __future__ import annotations

from collections.abc import Sequence

from grafanalib.core import TimeSeries

from generator.flavors import Flavor, as_flavor
from generator.panels.common import REF_IDS, check_quantiles, label, target, timeseries
from generator.queries import render_query

DEFAULT_QUANTILES = (0.5, 0.9, 0.99)


def upstream_latency(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    quantiles: Sequence[float] = DEFAULT_QUANTILES,
    width: int = 12,
) -> TimeSeries:
    """Upstream request time quantiles (p50, p90, p99) from `$service` to `$upstream`.

    One target per quantile, aggregated `by (le)` so `histogram_quantile` is correct:
    ```promql
    histogram_quantile(0.5, sum by (le, consul_destination_service) (
      rate(envoy_cluster_upstream_rq_time_bucket{consul_source_service=~"$service",
           consul_destination_service=~"$upstream"}[$__rate_interval])))
    histogram_quantile(0.9, sum by (le, consul_destination_service) (
      rate(envoy_cluster_upstream_rq_time_bucket{consul_source_service=~"$service",
           consul_destination_service=~"$upstream"}[$__rate_interval])))
    histogram_quantile(0.99, sum by (le, consul_destination_service) (
      rate(envoy_cluster_upstream_rq_time_bucket{consul_source_service=~"$service",
           consul_destination_service=~"$upstream"}[$__rate_interval])))
    ```
    """
    flavor = as_flavor(flavor)
    title = f"Upstream latency to {upstream}"
    check_quantiles(title, quantiles)
    targets = [
        target(
            render_query(
                "latency/upstream_quantile",
                flavor=flavor,
                service=service,
                upstream=upstream,
                quantile=q,
            ),
            legend=f"{label(flavor.destination_label)} p{_percentile(q)}",
            ref_id=REF_IDS[index],
        )
        for index, q in enumerate(quantiles)
    ]
    return timeseries(
        title=title,
        description=(
            f"Time from {service}'s sidecar sending a request to {upstream} until the "
            "response, per quantile, from Envoy's upstream_rq_time histogram (milliseconds; "
            "retries included, which is why retries raise it)."
        ),
        unit="ms",
        targets=targets,
        width=width,
    )


def _percentile(quantile: float) -> str:
    """0.5 -> "50", 0.999 -> "99.9"."""
    return f"{quantile * 100:g}"
