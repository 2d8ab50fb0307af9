"""A TCP service (`ledger`) is listed in `$service` and its connection panels equal the truth.

The mesh runs with ``MeshConfig(tcp_service=True)``: both payments versions call the
ledger over TCP, ``FAILED_SHARE`` of their connections failing to connect. A TCP proxy has
no requests, so only connection stats describe it; before this, `$service` read an
HTTP-only histogram and the ledger was not even listed. Istio's TCP numbers are held
in test_validate_numbers_istio (its backfill has the ledger too).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from generator.flavors import using_flavor
from generator.sim import MeshConfig
from generator.sim.tcp import FAILED_SHARE, LEDGER, RECEIVED_PER_CONNECTION, WRITES_PER_CONNECTION
from generator.validate.runner import plan_panels
from tests.conftest import build_shipped
from tests.validate.conftest import Backfill, open_backfill
from tests.validate.test_validate_numbers import EXPECTATIONS, compare_with_truth
from tests.validate.test_validate_numbers_envoy import judged_by_consul

FLAVORS = ("consul", "envoy")
TCP_PANELS = (
    "Connections to $service by caller",
    "Connections to $upstream",
    "Bytes to and from $upstream",
    "Connection length to $upstream",
)
RENAMED = {
    "consul_destination_service": "envoy_cluster_name",
    "consul_source_service": "local_cluster",
}


@pytest.fixture(scope="module", params=FLAVORS)
def tcp_backfill(request: pytest.FixtureRequest) -> Iterator[tuple[str, Backfill]]:
    with ExitStack() as stack:
        with using_flavor(request.param):
            opened = stack.enter_context(open_backfill(MeshConfig(tcp_service=True)))
        yield request.param, opened


def _service_dashboard(flavor: str) -> dict:
    uid = "meshdash-service" if flavor == "consul" else f"meshdash-{flavor}-service"
    return next(d.data for d in build_shipped(flavor) if d.uid == uid)


def test_the_tcp_service_is_listed_and_called(tcp_backfill: tuple[str, Backfill]) -> None:
    flavor, backfill = tcp_backfill
    resolution, _ = plan_panels(_service_dashboard(flavor), backfill.client, backfill.options)
    assert resolution.values["service"] == ["api", "currency", LEDGER, "payments"]
    upstreams = {a["upstream"] for a in resolution.assignments if a["service"] == "payments"}
    assert upstreams == {"currency", LEDGER}


def test_the_ledger_model_is_what_its_constants_say(tcp_backfill: tuple[str, Backfill]) -> None:
    """Guards truth and query being wrong together: rates from the demo's own numbers."""
    flavor, backfill = tcp_backfill
    truth = backfill.sandbox.truth
    source, destination = (
        ("local_cluster", "envoy_cluster_name")
        if flavor == "envoy"
        else (
            "consul_source_service",
            "consul_destination_service",
        )
    )
    payments_ok = sum(
        s.inbound.codes.get(200, 0.0)
        for s in backfill.sandbox.mesh.sidecars
        if s.service == "payments"
    )
    pair = {source: "payments", destination: LEDGER}
    opened = truth.rate("envoy_cluster_upstream_cx_total", **pair)
    assert opened == payments_ok / WRITES_PER_CONNECTION > 0
    assert truth.rate("envoy_cluster_upstream_cx_connect_fail", **pair) == opened * FAILED_SHARE
    received = truth.rate("envoy_cluster_upstream_cx_rx_bytes_total", **pair)
    assert received == opened * (1 - FAILED_SHARE) * RECEIVED_PER_CONNECTION
    assert truth.rate("envoy_cluster_upstream_rq_total", **pair) == 0  # no requests over TCP


@pytest.mark.parametrize(
    "key", sorted(k for k in EXPECTATIONS if k[1] in TCP_PANELS), ids=lambda k: f"{k[1]}:{k[2]}"
)
def test_tcp_panel_numbers_equal_ground_truth(
    tcp_backfill: tuple[str, Backfill], key: tuple[str, str, str]
) -> None:
    flavor, backfill = tcp_backfill
    _, title, ref_id = key
    expect = EXPECTATIONS[key]
    if flavor == "envoy":
        expect = type(expect)(tuple(RENAMED.get(x, x) for x in expect.labels), expect.values)
    judged = backfill if flavor == "consul" else judged_by_consul(backfill)
    assert compare_with_truth(judged, _service_dashboard(flavor), title, ref_id, expect) > 0
