"""Retry panels: how often the sidecar retried, and what the retries got back.

Istio's standard metrics have no retry counters: there, `resilience.failure_flags`
with `flags=GAVE_UP_FLAGS` shows the calls whose retries ran out (URX) and the like.
"""

from __future__ import annotations

from grafanalib.core import TimeSeries

from generator.flavors import Flavor, as_flavor
from generator.panels.common import label, status_colors, target, timeseries
from generator.queries import render_query


def upstream_retries(
    *,
    flavor: Flavor | str | None = None,
    service: str = "$service",
    upstream: str = "$upstream",
    width: int = 12,
) -> TimeSeries:
    """Retries from `$service` to `$upstream`, and the responses of retried attempts by class.

    ```promql
    sum by (consul_destination_service) (
      rate(envoy_cluster_upstream_rq_retry{consul_source_service=~"$service",
           consul_destination_service=~"$upstream"}[$__rate_interval]))
    sum by (consul_destination_service, envoy_response_code_class) (
      rate(envoy_cluster_retry_upstream_rq_xx{consul_source_service=~"$service",
           consul_destination_service=~"$upstream"}[$__rate_interval]))
    # meshdash: may be empty
    ```
    The second query may return no series (a caller that never retried): its comment
    line says so to `meshdash validate`.
    """
    flavor = as_flavor(flavor)
    params = {"flavor": flavor, "service": service, "upstream": upstream}
    destination = label(flavor.destination_label)
    return timeseries(
        title=f"Retries to {upstream}",
        description=(
            f"Retries per second that {service}'s sidecar made towards {upstream} "
            "(upstream_rq_retry), and the responses those retried attempts got, by class "
            "(retry.upstream_rq_xx). Retries that mostly get 2xx mean the retry policy "
            "is hiding a failing upstream from its callers."
        ),
        unit="reqps",
        targets=[
            target(
                render_query("retries/retry_rate", **params),
                legend=f"{destination} retries",
                ref_id="A",
            ),
            target(
                render_query("retries/retry_response_rate", **params),
                legend=f"{destination} retried {label(flavor.code_class_label)}xx",
                ref_id="B",
                # Envoy creates retry.upstream_rq_<xx> on the first retried response:
                # a caller that never retried has none of these series.
                may_be_empty=True,
            ),
        ],
        width=width,
        overrides=status_colors(),
    )
