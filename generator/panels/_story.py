"""Helpers shared by the story's panel modules (security, release, resilience)."""

from __future__ import annotations

from collections.abc import Sequence

from grafanalib.core import Target

from generator.flavors import Flavor
from generator.panels.common import REF_IDS, label, target
from generator.queries import render_query


def cluster_counter_targets(
    flavor: Flavor,
    counters: Sequence[tuple[str, str]],
    *,
    service: str,
    upstream: str,
    may_be_empty: bool = False,
) -> list[Target]:
    """One `sum by (upstream) (rate(envoy_cluster_<counter>))` target per counter."""
    destination = label(flavor.destination_label)
    return [
        target(
            render_query(
                "resilience/cluster_rate",
                flavor=flavor,
                service=service,
                upstream=upstream,
                metric=f"envoy_cluster_{counter}",
            ),
            legend=f"{destination} {legend}",
            ref_id=REF_IDS[index],
            may_be_empty=may_be_empty,
        )
        for index, (counter, legend) in enumerate(counters)
    ]
