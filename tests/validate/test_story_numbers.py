"""Every panel of the story's dashboards (security, release, resilience) equals the truth.

As in test_validate_numbers (whose machinery and tolerance this reuses): the shipped
definitions, resolved and interpolated by meshdash validate's own planner, run
against a real Prometheus backfilled from the simulator, here with the story's
incidents on (denials, a stuck certificate, failing and ejected endpoints, an open
breaker, release events), so that most numbers are not zero. Expected values come
from the simulator's series through :class:`generator.sim.Truth`, grouped by the
labels each query keeps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from typing import Any

import pytest

from generator.flavors import using_flavor
from generator.promql.dashboard import iter_targets
from generator.sim import MeshConfig, Truth
from generator.sim.incidents import Incidents
from generator.sim.story import RELEASE_EVENTS
from generator.validate.runner import QueryWindow
from tests.conftest import SHIPPED_UIDS, build_shipped
from tests.validate.conftest import Backfill, open_backfill
from tests.validate.test_validate_numbers import EXPECTATIONS, Expect, compare_with_truth

STORY_UIDS = ("meshdash-release", "meshdash-resilience", "meshdash-security")
DASHBOARDS = [d for d in build_shipped() if d.uid in STORY_UIDS]
SRC, DEST = "consul_source_service", "consul_destination_service"
SUBSET, PROXY = "consul_destination_service_subset", "local_cluster"
METHOD = ("envoy_grpc_bridge_service", "envoy_grpc_bridge_method")

Values = dict[str, str]
Expected = dict[tuple[str, ...], float]


@pytest.fixture(scope="module")
def story() -> Iterator[Backfill]:
    # The tcp service (ledger) is where Consul's L4 intentions (connect_authz) apply.
    with open_backfill(MeshConfig(incidents=Incidents(), tcp_service=True)) as opened:
        yield opened


def grouped(
    t: Truth, family: str, keys: tuple[str, ...], agg: str = "sum", **match: str
) -> Expected:
    """``agg by (keys) (family{match})`` over the truth's series; a missing version is "all"."""
    groups: dict[tuple[str, ...], list[float]] = {}
    for s in t.select(family, **match):
        key = tuple(s.label(k) or ("all" if k == SUBSET else "") for k in keys)
        groups.setdefault(key, []).append(s.rate)
    pick = {"sum": sum, "max": max, "min": min}[agg]
    return {key: pick(values) for key, values in groups.items()}


def per_version(t: Truth, v: Values, family: str, **match: str) -> Expected:
    return grouped(t, family, (DEST, SUBSET), **{SRC: v["service"], DEST: v["upstream"]}, **match)


def version_rate(t: Truth, v: Values) -> Expected:
    return per_version(t, v, "envoy_cluster_upstream_rq_completed")


def version_share(t: Truth, v: Values) -> Expected:
    rates = version_rate(t, v)
    total = {d: sum(r for (d2, _), r in rates.items() if d2 == d) for d, _ in rates}
    return {(d, ver): 100 * r / total[d] for (d, ver), r in rates.items()}


def version_error_ratio(t: Truth, v: Values) -> Expected:
    attempts = per_version(t, v, "envoy_cluster_upstream_rq_total")
    failed = [
        per_version(t, v, f"envoy_cluster_{f}_xx", envoy_response_code_class="5")
        for f in ("upstream_rq", "retry_upstream_rq")
    ]
    return {k: (failed[0].get(k, 0.0) + failed[1].get(k, 0.0)) / n for k, n in attempts.items()}


def caller_error_ratio(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(s,): t.downstream_rate(s, "5") / t.downstream_rate(s)}


def version_p99(t: Truth, v: Values) -> Expected:
    out = {}
    for dest, version in version_rate(t, v):
        subset = None if version == "all" else version
        out[(dest, version)] = t.quantile(
            "envoy_cluster_upstream_rq_time", 0.99,
            **{SRC: v["service"], DEST: dest, SUBSET: subset},
        )  # fmt: skip
    return out


@dataclass(frozen=True)
class StoryLabels:
    """What one flavor names the story's series by; the expectations shared by flavors use it."""

    #: the calling service, on cluster (upstream) stats
    source: str
    #: the proxy's own service, on its listener, RBAC and server stats
    proxy: str
    #: the called service, on cluster stats
    dest: str
    #: `envoy_http_conn_manager_prefix` of the inbound listener, where the HTTP RBAC filter sits
    inbound_prefix: str

    def cluster(self, family: str, agg: str = "sum") -> Expect:
        """A per-upstream cluster statistic from `$service` to `$upstream`."""

        def values(t: Truth, v: Values) -> Expected:
            match = {self.source: v["service"], self.dest: v["upstream"]}
            return grouped(t, family, (self.dest,), agg, **match)

        return Expect((self.dest,), values)

    def outbound(self, family: str) -> Expect:
        def values(t: Truth, v: Values) -> Expected:
            return grouped(t, family, (self.dest,), **{self.source: v["service"]})

        return Expect((self.dest,), values)

    def proxy_stat(self, family: str, agg: str = "sum", **match: str) -> Expect:
        def values(t: Truth, v: Values) -> Expected:
            return grouped(t, family, (self.proxy,), agg, **{self.proxy: v["service"]}, **match)

        return Expect((self.proxy,), values)

    def callers(self, family: str, keys: tuple[str, ...], **match: str) -> Expect:
        def values(t: Truth, v: Values) -> Expected:
            return grouped(t, family, keys, **{self.dest: v["service"]}, **match)

        return Expect(keys, values)

    def grpc_success(self, t: Truth, v: Values) -> Expected:
        match = {self.source: v["service"], self.dest: v["upstream"]}
        total = grouped(t, "envoy_cluster_grpc_total", (self.dest, *METHOD), **match)
        ok = grouped(t, "envoy_cluster_grpc_success", (self.dest, *METHOD), **match)
        return {k: ok.get(k, 0.0) / n for k, n in total.items()}


def shared_story_expectations(
    uids: tuple[str, str, str], labels: StoryLabels
) -> dict[tuple[str, str, str], Expect]:
    """The story's targets that every Envoy-stats flavor has, keyed by (uid, title, ref)."""
    found: dict[tuple[str, str, str], Expect] = {}
    rel, res, sec = uids
    cluster, proxy = labels.cluster, labels.proxy_stat
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
    by_method = (labels.dest, *METHOD)
    found[(res, "gRPC success to $upstream by method", "A")] = Expect(
        by_method, labels.grpc_success
    )
    l7 = "L7 authorization on $service (HTTP RBAC)"
    for ref, verdict in zip(
        "ABCD", ("allowed", "denied", "shadow_allowed", "shadow_denied"), strict=True
    ):
        found[(sec, l7, ref)] = proxy(
            f"envoy_http_rbac_{verdict}", envoy_http_conn_manager_prefix=labels.inbound_prefix
        )
    l4 = "L4 authorization on $service (network RBAC)"
    found[(sec, l4, "A")] = proxy("envoy_connect_authz_rbac_allowed")
    found[(sec, l4, "B")] = proxy("envoy_connect_authz_rbac_denied")
    denied = "Denied calls to $service, as callers see them"
    pair = (labels.source, labels.dest)
    found[(sec, denied, "A")] = labels.callers(
        "envoy_cluster_upstream_rq", pair, envoy_response_code="403"
    )
    found[(sec, denied, "B")] = labels.callers("envoy_cluster_grpc_7", (*pair, *METHOD))
    inbound = ("handshake", "connection_error", "fail_verify_no_cert", "fail_verify_san")
    for ref, stat in zip("ABCDE", (*inbound, "fail_verify_error"), strict=True):
        found[(sec, "Inbound mTLS on $service", ref)] = proxy(f"envoy_listener_ssl_{stat}")
    for ref, stat in zip(
        "ABC", ("handshake", "connection_error", "fail_verify_error"), strict=True
    ):
        found[(sec, "Outbound mTLS from $service", ref)] = labels.outbound(
            f"envoy_cluster_ssl_{stat}"
        )
    found[(sec, "Days until a certificate of $service expires", "A")] = proxy(
        "envoy_server_days_until_first_cert_expiring", "min"
    )
    return found


CONSUL_LABELS = StoryLabels(source=SRC, proxy=PROXY, dest=DEST, inbound_prefix="public_listener")


def _story_expectations() -> dict[tuple[str, str, str], Expect]:
    """The shared targets, and the release dashboard's per-version panels (Consul only)."""
    found = shared_story_expectations(STORY_UIDS, CONSUL_LABELS)
    rel = STORY_UIDS[0]
    ver = (DEST, SUBSET)
    found[(rel, "Requests to each version of $upstream", "A")] = Expect(ver, version_rate)
    found[(rel, "Traffic split of $upstream", "A")] = Expect(ver, version_share)
    ratio = "Error ratio per version of $upstream vs $service's own"
    found[(rel, ratio, "A")] = Expect(ver, version_error_ratio)
    found[(rel, ratio, "B")] = Expect((PROXY,), caller_error_ratio)
    found[(rel, "p99 latency per version of $upstream", "A")] = Expect(ver, version_p99)
    return found


STORY_EXPECTATIONS = _story_expectations()


def _targets() -> Iterator[tuple[str, str, str]]:
    for item in DASHBOARDS:
        for ref in iter_targets(item.data):
            yield item.uid, ref.panel_title, ref.ref_id


def test_every_story_target_has_an_expectation() -> None:
    assert sorted(_targets()) == sorted(STORY_EXPECTATIONS)


def test_every_shipped_dashboard_is_held_to_the_truth_somewhere() -> None:
    held = {uid for uid, _, _ in EXPECTATIONS} | set(STORY_UIDS)
    assert held == set(SHIPPED_UIDS)


def test_the_incidents_really_strike(story: Backfill) -> None:
    """Guards against a story whose numbers are all 0 (and so equal any broken query's)."""
    truth = story.sandbox.truth
    assert truth.rate("envoy_http_rbac_denied", local_cluster="payments") == 0.25
    assert truth.upstream("envoy_cluster_upstream_rq_retry_overflow", "api", "payments") == 0.25
    assert truth.upstream("envoy_cluster_circuit_breakers_default_rq_retry_open", "api", "payments")
    days = grouped(truth, "envoy_server_days_until_first_cert_expiring", (PROXY,), "min")
    assert days[("payments",)] == 0 < days[("api",)]
    assert truth.rate("envoy_connect_authz_rbac_denied", local_cluster="ledger") == 0.125


@pytest.mark.parametrize("key", sorted(STORY_EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_story_panel_numbers_equal_ground_truth(story: Backfill, key: tuple[str, str, str]) -> None:
    uid, title, ref_id = key
    expect = STORY_EXPECTATIONS[key]
    item = next(d for d in DASHBOARDS if d.uid == uid)
    checked = compare_with_truth(story, item.data, title, ref_id, expect)
    assert checked > 0, f"{key}: no point compared for any variable value"


def test_release_annotation_marks_each_event_at_its_time(story: Backfill) -> None:
    item = next(d for d in DASHBOARDS if d.uid == "meshdash-release")
    (annotation,) = item.data["annotations"]["list"]
    assert annotation["useValueForTime"] is True
    expr = annotation["expr"].replace("$upstream", "payments")
    window = QueryWindow.of(story.options.time_range, story.options.scrape_interval)
    start, end, step = window.validation(expr)
    found = {
        s.labels["event"]: {value for _, value in s.points}
        for s in story.client.range(expr, start=start, end=end, step=step)
    }
    begin = story.sandbox.mesh.start
    assert found == {text: {(begin + at) * 1000} for at, _, _, text in RELEASE_EVENTS}


# The release dashboard built for Istio: the same story from istio_requests_total.
ISTIO_RELEASE = next(d for d in build_shipped("istio") if d.uid == "meshdash-istio-release")
REQUESTS = "istio_requests_total"
I_SRC, I_DEST = "source_canonical_service", "destination_canonical_service"
I_VERSION = "destination_version"
GRPC_FAILURES = {"2", "4", "12", "13", "14", "15"}
FLAGGED = re.compile(r".*(URX|UO|UT|UF|UH|NR).*")


@pytest.fixture(scope="module")
def istio_story() -> Iterator[Backfill]:
    """The demo mesh as Istio reports it; the flavor is current only while it is made."""
    with ExitStack() as stack:
        with using_flavor("istio"):
            opened = stack.enter_context(open_backfill())
        yield opened


def _istio(t: Truth, v: Values, reporter: str) -> Iterator[Any]:
    match = {I_SRC: v["service"], I_DEST: v["upstream"]}
    yield from t.select(REQUESTS, reporter=reporter, **match)


def _sum_by(series: Iterator[Any], keys: tuple[str, ...]) -> Expected:
    out: Expected = {}
    for s in series:
        key = tuple(s.label(k) or "" for k in keys)
        out[key] = out.get(key, 0.0) + s.rate
    return out


def istio_version_rate(t: Truth, v: Values) -> Expected:
    return _sum_by(_istio(t, v, "source"), (I_DEST, I_VERSION))


def istio_version_share(t: Truth, v: Values) -> Expected:
    rates = istio_version_rate(t, v)
    total = {d: sum(r for (d2, _), r in rates.items() if d2 == d) for d, _ in rates}
    return {(d, ver): 100 * r / total[d] for (d, ver), r in rates.items()}


def istio_version_error_ratio(t: Truth, v: Values) -> Expected:
    attempts = _sum_by(_istio(t, v, "destination"), (I_DEST, I_VERSION))
    ok = _sum_by(
        (
            s
            for s in _istio(t, v, "destination")
            if not (s.label("response_code") or "").startswith("5")
            and s.label("grpc_response_status") not in GRPC_FAILURES
        ),
        (I_DEST, I_VERSION),
    )
    return {k: 1 - ok.get(k, 0.0) / n for k, n in attempts.items()}


def istio_caller_error_ratio(t: Truth, v: Values) -> Expected:
    answered = list(t.select(REQUESTS, reporter="destination", **{I_DEST: v["service"]}))
    failed = sum(s.rate for s in answered if (s.label("response_code") or "").startswith("5"))
    return {(v["service"],): failed / sum(s.rate for s in answered)}


def istio_version_p99(t: Truth, v: Values) -> Expected:
    return {
        (dest, version): t.quantile(
            "istio_request_duration_milliseconds", 0.99, reporter="source",
            **{I_SRC: v["service"], I_DEST: dest, I_VERSION: version},
        )
        for dest, version in istio_version_rate(t, v)
    }  # fmt: skip


def istio_flags(keep: Callable[[str], object]) -> Callable[[Truth, Values], Expected]:
    """The caller's calls whose `response_flags` `keep` accepts, by upstream and flags."""

    def values(t: Truth, v: Values) -> Expected:
        flagged = (s for s in _istio(t, v, "source") if keep(s.label("response_flags") or ""))
        return _sum_by(flagged, (I_DEST, "response_flags"))

    return values


istio_flagged = istio_flags(FLAGGED.match)


ISTIO_EXPECTATIONS: dict[tuple[str, str], Expect] = {
    ("Requests to each version of $upstream", "A"): Expect((I_DEST, I_VERSION), istio_version_rate),
    ("Traffic split of $upstream", "A"): Expect((I_DEST, I_VERSION), istio_version_share),
    ("Error ratio per version of $upstream vs $service's own", "A"): Expect(
        (I_DEST, I_VERSION), istio_version_error_ratio
    ),
    ("Error ratio per version of $upstream vs $service's own", "B"): Expect(
        (I_DEST,), istio_caller_error_ratio
    ),
    ("p99 latency per version of $upstream", "A"): Expect((I_DEST, I_VERSION), istio_version_p99),
    ("Why calls to $upstream fail (response flags)", "A"): Expect(
        (I_DEST, "response_flags"), istio_flagged
    ),
}


def test_every_istio_release_target_has_an_expectation() -> None:
    found = [(ref.panel_title, ref.ref_id) for ref in iter_targets(ISTIO_RELEASE.data)]
    assert sorted(found) == sorted(ISTIO_EXPECTATIONS)


def test_istio_versions_differ_as_the_story_says(istio_story: Backfill) -> None:
    """v2 fails a quarter of its attempts, v1 none: a ratio computed over both would hide it."""
    ratios = istio_version_error_ratio(
        istio_story.sandbox.truth, {"service": "api", "upstream": "payments"}
    )
    assert ratios == {("payments", "v1"): 0.0, ("payments", "v2"): 0.25}


@pytest.mark.parametrize("key", sorted(ISTIO_EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}")
def test_istio_release_numbers_equal_ground_truth(
    istio_story: Backfill, key: tuple[str, str]
) -> None:
    title, ref_id = key
    checked = compare_with_truth(
        istio_story, ISTIO_RELEASE.data, title, ref_id, ISTIO_EXPECTATIONS[key]
    )
    assert checked > 0


# The security dashboard built for Istio, over the Istio mesh with the story's incidents.
ISTIO_SECURITY = next(d for d in build_shipped("istio") if d.uid == "meshdash-istio-security")


@pytest.fixture(scope="module")
def istio_incidents() -> Iterator[Backfill]:
    with ExitStack() as stack:
        with using_flavor("istio"):
            opened = stack.enter_context(open_backfill(MeshConfig(incidents=Incidents())))
        yield opened


def _answered(t: Truth, v: Values, **labels: str) -> Iterator[Any]:
    yield from t.select(REQUESTS, reporter="destination", **{I_DEST: v["service"]}, **labels)


def istio_forbidden(t: Truth, v: Values) -> Expected:
    return _sum_by(_answered(t, v, response_code="403"), (I_SRC, I_DEST))


def istio_permission_denied(t: Truth, v: Values) -> Expected:
    return _sum_by(_answered(t, v, grpc_response_status="7"), (I_SRC, I_DEST))


def istio_mtls_share(t: Truth, v: Values) -> Expected:
    policy = _sum_by(_answered(t, v), (I_DEST, "connection_security_policy"))
    total = sum(policy.values())
    return {key: 100 * rate / total for key, rate in policy.items()}


ISTIO_SECURITY_EXPECTATIONS: dict[tuple[str, str], Expect] = {
    ("Denied calls to $service, as callers see them", "A"): Expect(
        (I_SRC, I_DEST), istio_forbidden
    ),
    ("Denied calls to $service, as callers see them", "B"): Expect(
        (I_SRC, I_DEST), istio_permission_denied
    ),
    ("mTLS share of requests to $service", "A"): Expect(
        (I_DEST, "connection_security_policy"), istio_mtls_share
    ),
}


def test_every_istio_security_target_has_an_expectation() -> None:
    found = [(ref.panel_title, ref.ref_id) for ref in iter_targets(ISTIO_SECURITY.data)]
    assert sorted(found) == sorted(ISTIO_SECURITY_EXPECTATIONS)


def test_istio_incidents_strike(istio_incidents: Backfill) -> None:
    truth = istio_incidents.sandbox.truth
    denied = istio_forbidden(truth, {"service": "payments"})
    assert denied == {("api", "payments"): 0.25}
    share = istio_mtls_share(truth, {"service": "currency"})
    assert 0 < share[("currency", "none")] < share[("currency", "mutual_tls")] < 100


@pytest.mark.parametrize("key", sorted(ISTIO_SECURITY_EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}")
def test_istio_security_numbers_equal_ground_truth(
    istio_incidents: Backfill, key: tuple[str, str]
) -> None:
    expect = ISTIO_SECURITY_EXPECTATIONS[key]
    assert compare_with_truth(istio_incidents, ISTIO_SECURITY.data, *key, expect) > 0


# The resilience dashboard built for Istio, over the Istio mesh with the story's incidents.
ISTIO_RESILIENCE = next(d for d in build_shipped("istio") if d.uid == "meshdash-istio-resilience")


istio_failure_flags = istio_flags(lambda flags: flags != "-")


def istio_grpc_statuses(t: Truth, v: Values) -> Expected:
    calls = (s for s in _istio(t, v, "source") if s.label("request_protocol") == "grpc")
    return _sum_by(calls, (I_DEST, "grpc_response_status"))


ISTIO_RESILIENCE_EXPECTATIONS: dict[tuple[str, str], Expect] = {
    ("Why calls to $upstream fail (response flags)", "A"): Expect(
        (I_DEST, "response_flags"), istio_failure_flags
    ),
    ("gRPC calls to $upstream by status", "A"): Expect(
        (I_DEST, "grpc_response_status"), istio_grpc_statuses
    ),
}


def test_every_istio_resilience_target_has_an_expectation() -> None:
    found = [(ref.panel_title, ref.ref_id) for ref in iter_targets(ISTIO_RESILIENCE.data)]
    assert sorted(found) == sorted(ISTIO_RESILIENCE_EXPECTATIONS)


def test_istio_faults_show_as_response_flags(istio_incidents: Backfill) -> None:
    flags = istio_failure_flags(
        istio_incidents.sandbox.truth, {"service": "api", "upstream": "payments"}
    )
    assert {flag for _, flag in flags} == {"UF", "UH", "UO", "UT", "UR", "LR", "UC", "URX"}
    assert flags[("payments", "UF")] == 1 / 16


@pytest.mark.parametrize(
    "key", sorted(ISTIO_RESILIENCE_EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}"
)
def test_istio_resilience_numbers_equal_ground_truth(
    istio_incidents: Backfill, key: tuple[str, str]
) -> None:
    expect = ISTIO_RESILIENCE_EXPECTATIONS[key]
    assert compare_with_truth(istio_incidents, ISTIO_RESILIENCE.data, *key, expect) > 0
