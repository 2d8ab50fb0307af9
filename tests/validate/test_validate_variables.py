"""Variables resolve against a real Prometheus as Grafana would resolve them."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from generator.validate import resolve
from tests.conftest import build_shipped

DASHBOARDS = {d.uid: d for d in build_shipped()}


def _resolve(backfill: Any, uid: str) -> Any:
    options = backfill.options
    return resolve(
        DASHBOARDS[uid].data,
        backfill.client,
        options.time_range,
        scrape_interval=options.scrape_interval,
    )


def _destinations(truth: Any, source: str | None = None) -> list[str]:
    series = truth.select("envoy_cluster_upstream_rq_time", consul_source_service=source)
    return sorted({s.label("consul_destination_service") for s in series} - {None})


@pytest.mark.parametrize("uid", sorted(DASHBOARDS))
def test_service_is_exactly_the_destination_services(backfill: Any, uid: str) -> None:
    resolution = _resolve(backfill, uid)
    assert resolution.values["service"] == _destinations(backfill.sandbox.truth)
    assert resolution.values["service"] == ["api", "currency", "payments"]


@pytest.mark.parametrize(
    ("service", "upstreams"),
    [("api", ["payments"]), ("payments", ["currency"]), ("currency", [])],
)
def test_upstream_is_resolved_per_service(
    backfill: Any, service: str, upstreams: list[str]
) -> None:
    resolution = _resolve(backfill, "meshdash-service")
    got = sorted(
        a["upstream"]
        for a in resolution.assignments
        if a.get("service") == service and "upstream" in a
    )
    assert got == upstreams == _destinations(backfill.sandbox.truth, service)


def test_a_leaf_service_leaves_upstream_empty_without_failing(backfill: Any) -> None:
    resolution = _resolve(backfill, "meshdash-service")
    assert resolution.empty_under == {"upstream": [{"service": "currency"}]}
    assert resolution.errors == {}


@pytest.mark.parametrize("uid", sorted(DASHBOARDS))
def test_resolving_on_a_pool_gives_the_sequential_result(backfill: Any, uid: str) -> None:
    options = backfill.options
    sequential = _resolve(backfill, uid)
    before = backfill.client.requests_sent
    with ThreadPoolExecutor(max_workers=4) as pool:
        pooled = resolve(
            DASHBOARDS[uid].data,
            backfill.client,
            options.time_range,
            scrape_interval=options.scrape_interval,
            pool=pool,
        )
    assert pooled.assignments == sequential.assignments
    assert (pooled.values, pooled.empty_under, pooled.errors) == (
        sequential.values,
        sequential.empty_under,
        sequential.errors,
    )
    # one query per variable and distinct parent value: $service, then $upstream per service
    fetched = (
        1 + len(sequential.values.get("service", [])) if "upstream" in sequential.values else 1
    )
    assert backfill.client.requests_sent - before == fetched
