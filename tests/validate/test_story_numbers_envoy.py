"""The story's dashboards built for plain Envoy equal the truth of the Envoy-flavored sandbox.

As test_story_numbers does for Consul, with the incidents on, but under Envoy's own tags:
the service is the scrape label (`local_cluster` by default), an upstream is
`envoy_cluster_name` (a service's subsets are one cluster), and the RBAC filters sit on
the `ingress_http` listener. The release dashboard has no per-version panels here, so
only its retry counters are held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from generator.flavors import ENVOY, using_flavor
from generator.promql.dashboard import iter_targets
from generator.sim import MeshConfig, Truth
from generator.sim.incidents import Incidents
from tests.conftest import build_shipped
from tests.validate.conftest import Backfill, open_backfill
from tests.validate.test_story_numbers import METHOD, Expected, Values, grouped
from tests.validate.test_validate_numbers import Expect, compare_with_truth

STORY_UIDS = ("meshdash-envoy-release", "meshdash-envoy-resilience", "meshdash-envoy-security")
DASHBOARDS = [d for d in build_shipped("envoy") if d.uid in STORY_UIDS]
SERVICE, DEST = ENVOY.proxy_label, ENVOY.destination_label


@pytest.fixture(scope="module")
def story() -> Iterator[Backfill]:
    with ExitStack() as stack:
        with using_flavor("envoy"):
            config = MeshConfig(incidents=Incidents(), tcp_service=True)
            opened = stack.enter_context(open_backfill(config))
        yield opened


def cluster(family: str, agg: str = "sum") -> Expect:
    def values(t: Truth, v: Values) -> Expected:
        return grouped(t, family, (DEST,), agg, **{SERVICE: v["service"], DEST: v["upstream"]})

    return Expect((DEST,), values)


def outbound(family: str) -> Expect:
    def values(t: Truth, v: Values) -> Expected:
        return grouped(t, family, (DEST,), **{SERVICE: v["service"]})

    return Expect((DEST,), values)


def proxy(family: str, agg: str = "sum", **match: str) -> Expect:
    def values(t: Truth, v: Values) -> Expected:
        return grouped(t, family, (SERVICE,), agg, **{SERVICE: v["service"]}, **match)

    return Expect((SERVICE,), values)


def callers(family: str, keys: tuple[str, ...], **match: str) -> Expect:
    def values(t: Truth, v: Values) -> Expected:
        return grouped(t, family, keys, **{DEST: v["service"]}, **match)

    return Expect(keys, values)


def grpc_success(t: Truth, v: Values) -> Expected:
    match = {SERVICE: v["service"], DEST: v["upstream"]}
    total = grouped(t, "envoy_cluster_grpc_total", (DEST, *METHOD), **match)
    ok = grouped(t, "envoy_cluster_grpc_success", (DEST, *METHOD), **match)
    return {k: ok.get(k, 0.0) / n for k, n in total.items()}


def _expectations() -> dict[tuple[str, str, str], Expect]:
    found: dict[tuple[str, str, str], Expect] = {}
    rel, res, sec = STORY_UIDS
    retries = "Retries to $upstream: made, succeeded, refused, given up"
    for ref, stat in zip("ABCD", ("", "_success", "_overflow", "_limit_exceeded"), strict=True):
        found[(rel, retries, ref)] = cluster(f"envoy_cluster_upstream_rq_retry{stat}")
    connection = ("connect_fail", "connect_timeout", "none_healthy", "overflow")
    for ref, stat in zip("ABCD", connection, strict=True):
        found[(res, "Connection failures to $upstream", ref)] = cluster(
            f"envoy_cluster_upstream_cx_{stat}"
        )
    request = (
        *("rq_timeout", "rq_per_try_timeout", "rq_rx_reset", "rq_tx_reset"),
        *("rq_pending_overflow", "cx_destroy_remote_with_active_rq"),
    )
    for ref, stat in zip("ABCDEF", request, strict=True):
        found[(res, "Request failures to $upstream", ref)] = cluster(
            f"envoy_cluster_upstream_{stat}"
        )
    flags = ("cx_open", "cx_pool_open", "rq_open", "rq_pending_open", "rq_retry_open")
    for ref, flag in zip("ABCDE", flags, strict=True):
        found[(res, "Circuit breakers open to $upstream (default priority)", ref)] = cluster(
            f"envoy_cluster_circuit_breakers_default_{flag}", "max"
        )
    ejections = "Outlier ejections of $upstream"
    found[(res, ejections, "A")] = cluster("envoy_cluster_outlier_detection_ejections_active")
    found[(res, ejections, "B")] = cluster(
        "envoy_cluster_outlier_detection_ejections_enforced_total"
    )
    healthy = "Healthy endpoints of $upstream"
    found[(res, healthy, "A")] = cluster("envoy_cluster_membership_healthy")
    found[(res, healthy, "B")] = cluster("envoy_cluster_membership_total")
    found[(res, "gRPC success to $upstream by method", "A")] = Expect((DEST, *METHOD), grpc_success)
    l7 = "L7 authorization on $service (HTTP RBAC)"
    for ref, verdict in zip(
        "ABCD", ("allowed", "denied", "shadow_allowed", "shadow_denied"), strict=True
    ):
        found[(sec, l7, ref)] = proxy(
            f"envoy_http_rbac_{verdict}", envoy_http_conn_manager_prefix=ENVOY.inbound_prefix
        )
    l4 = "L4 authorization on $service (network RBAC)"
    found[(sec, l4, "A")] = proxy("envoy_connect_authz_rbac_allowed")
    found[(sec, l4, "B")] = proxy("envoy_connect_authz_rbac_denied")
    denied = "Denied calls to $service, as callers see them"
    found[(sec, denied, "A")] = callers(
        "envoy_cluster_upstream_rq", (SERVICE, DEST), envoy_response_code="403"
    )
    found[(sec, denied, "B")] = callers("envoy_cluster_grpc_7", (SERVICE, DEST, *METHOD))
    inbound = ("handshake", "connection_error", "fail_verify_no_cert", "fail_verify_san")
    for ref, stat in zip("ABCDE", (*inbound, "fail_verify_error"), strict=True):
        found[(sec, "Inbound mTLS on $service", ref)] = proxy(f"envoy_listener_ssl_{stat}")
    for ref, stat in zip(
        "ABC", ("handshake", "connection_error", "fail_verify_error"), strict=True
    ):
        found[(sec, "Outbound mTLS from $service", ref)] = outbound(f"envoy_cluster_ssl_{stat}")
    found[(sec, "Days until a certificate of $service expires", "A")] = proxy(
        "envoy_server_days_until_first_cert_expiring", "min"
    )
    return found


EXPECTATIONS = _expectations()


def test_every_envoy_story_target_has_an_expectation() -> None:
    shipped = [
        (d.uid, ref.panel_title, ref.ref_id) for d in DASHBOARDS for ref in iter_targets(d.data)
    ]
    assert sorted(shipped) == sorted(EXPECTATIONS)


def test_the_incidents_strike_under_envoy_names(story: Backfill) -> None:
    """Guards against a story whose numbers are all 0 (and so equal any broken query's)."""
    truth = story.sandbox.truth
    assert truth.rate("envoy_http_rbac_denied", **{SERVICE: "payments"}) == 0.25
    retry = "envoy_cluster_upstream_rq_retry_overflow"
    assert truth.rate(retry, **{SERVICE: "api", DEST: "payments"}) == 0.25
    assert truth.rate("envoy_connect_authz_rbac_denied", **{SERVICE: "ledger"}) == 0.125
    assert not any(truth.select("envoy_http_rbac_denied", consul_source_service="payments"))


@pytest.mark.parametrize("key", sorted(EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_envoy_story_numbers_equal_ground_truth(story: Backfill, key: tuple[str, str, str]) -> None:
    uid, title, ref_id = key
    item = next(d for d in DASHBOARDS if d.uid == uid)
    checked = compare_with_truth(story, item.data, title, ref_id, EXPECTATIONS[key])
    assert checked > 0, f"{key}: no point compared for any variable value"
