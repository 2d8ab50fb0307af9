"""Every shipped panel built for Istio equals the simulator's ground truth (Istio flavor).

The same machinery as test_validate_numbers (meshdash validate's own planner and
client, a real backfilled Prometheus, 1e-6 relative tolerance), over the same demo
mesh emitting Istio's standard metrics with both reporters. A query that summed the
two reporters, or read the other one, would be off by the retried attempts
(api -> payments: 16 requests/s sent, 18.5 attempts/s answered). The mesh has its TCP
service (`ledger`): it is listed in `$service`, has no request panels' data, and its
connection panels equal the truth of `istio_tcp_*`.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest

from generator.flavors import using_flavor
from generator.promql.dashboard import iter_targets
from generator.sim import MeshConfig, Truth
from tests.conftest import build_shipped
from tests.validate.conftest import Backfill, open_backfill
from tests.validate.test_validate_numbers import Expect, compare_with_truth, mesh_total

#: the shipped dashboards that follow the flavor (the others pin Consul); the Istio numbers
#: of the story's dashboards (release, security, resilience) are held in test_story_numbers.py
STORY_TAGS = {"release", "security", "resilience"}
DASHBOARDS = [
    item
    for item in build_shipped("istio")
    if "istio" in item.data["tags"] and not STORY_TAGS & set(item.data["tags"])
]
REQUESTS, DURATION = "istio_requests_total", "istio_request_duration_milliseconds"
DEST, SRC = "destination_canonical_service", "source_canonical_service"
GRPC_FAILURES = {"2", "4", "12", "13", "14", "15"}
FLAGGED = ("URX", "UO", "UT", "UF", "UH", "NR")

Values = dict[str, str]
Expected = dict[tuple[str, ...], float]


@pytest.fixture(scope="module")
def backfill() -> Iterator[Backfill]:
    """The demo mesh as Istio reports it, backfilled; the flavor is current only while made."""
    with ExitStack() as stack:
        with using_flavor("istio"):
            opened = stack.enter_context(open_backfill(MeshConfig(tcp_service=True)))
        yield opened


def _grouped(t: Truth, key: Callable[[Any], str | None], **labels: str) -> dict[str, float]:
    """``sum by (key) (rate(istio_requests_total{labels}))`` (series whose key is None dropped)."""
    out: dict[str, float] = {}
    for s in t.select(REQUESTS, **labels):
        k = key(s)
        if k is not None:
            out[k] = out.get(k, 0.0) + s.rate
    return out


def _failed(s: Any) -> bool:
    code = s.label("response_code") or ""
    return code.startswith("5") or s.label("grpc_response_status") in GRPC_FAILURES


def _ratio_ok(t: Truth, **labels: str) -> float:
    series = list(t.select(REQUESTS, **labels))
    return sum(s.rate for s in series if not _failed(s)) / sum(s.rate for s in series)


def inbound_by_class(t: Truth, v: Values) -> Expected:
    s = v["service"]
    classes = _grouped(
        t, lambda x: x.label("response_code")[0], reporter="destination", **{DEST: s}
    )
    return {(s, c): rate for c, rate in classes.items()}


def inbound_success_ratio(t: Truth, v: Values) -> Expected:
    return {(v["service"],): _ratio_ok(t, reporter="destination", **{DEST: v["service"]})}


def upstream_by_code(t: Truth, v: Values) -> Expected:
    s, u = v["service"], v["upstream"]
    codes = _grouped(t, lambda x: x.label("response_code"), reporter="source", **{SRC: s, DEST: u})
    return {(u, c): rate for c, rate in codes.items()}


def upstream_quantile(q: float) -> Callable[[Truth, Values], Expected]:
    def values(t: Truth, v: Values) -> Expected:
        s, u = v["service"], v["upstream"]
        return {(u,): t.quantile(DURATION, q, reporter="source", **{SRC: s, DEST: u})}

    return values


def response_flags(t: Truth, v: Values) -> Expected:
    s, u = v["service"], v["upstream"]
    flags = _grouped(
        t,
        lambda x: (
            x.label("response_flags")
            if any(f in x.label("response_flags") for f in FLAGGED)
            else None
        ),
        reporter="source",
        **{SRC: s, DEST: u},
    )
    return {(u, f): rate for f, rate in flags.items()}


def upstream_success_ratio(t: Truth, v: Values) -> Expected:
    s, u = v["service"], v["upstream"]
    return {(u,): _ratio_ok(t, reporter="source", **{SRC: s, DEST: u})}


def overview_rate(t: Truth, v: Values) -> Expected:
    return {(v["service"],): t.rate(REQUESTS, reporter="destination", **{DEST: v["service"]})}


def overview_error_ratio(t: Truth, v: Values) -> Expected:
    s = v["service"]
    codes = _grouped(t, lambda x: x.label("response_code")[0], reporter="destination", **{DEST: s})
    return {(s,): codes.get("5", 0.0) / sum(codes.values())}


def overview_p99(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(s,): t.quantile(DURATION, 0.99, reporter="destination", **{DEST: s})}


CALLER = "source_workload"


def _by_caller(t: Truth, s: str, code: str | None = None) -> dict[str, float]:
    """What each calling workload's sidecar reported sending to ``s`` (one code class or all)."""
    return _grouped(
        t,
        lambda x: x.label(CALLER) if code is None or x.label("response_code")[0] == code else None,
        reporter="source",
        **{DEST: s},
    )


def requests_by_caller(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(c, s): rate for c, rate in _by_caller(t, s).items()}


def caller_error_ratio(t: Truth, v: Values) -> Expected:
    s = v["service"]
    failed = _by_caller(t, s, "5")
    return {(c, s): failed.get(c, 0.0) / rate for c, rate in _by_caller(t, s).items()}


def caller_p99(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {
        (c, s): t.quantile(DURATION, 0.99, reporter="source", **{DEST: s, CALLER: c})
        for c in _by_caller(t, s)
    }


def _5xx(t: Truth, reporter: str, s: str) -> Expected:
    rate = (
        sum(_by_caller(t, s, "5").values())
        if reporter == "source"
        else sum(
            x.rate
            for x in t.select(REQUESTS, reporter="destination", **{DEST: s})
            if x.label("response_code").startswith("5")
        )
    )
    return {(s,): rate} if rate else {}


def http_only(
    per_values: Callable[[Truth, Values], Expected], *, upstream: bool = False
) -> Callable[[Truth, Values], Expected]:
    """No series where no request was reported (the TCP service, or a call to it)."""

    def values(t: Truth, v: Values) -> Expected:
        pair = {SRC: v["service"], DEST: v["upstream"]} if upstream else {DEST: v["service"]}
        return per_values(t, v) if any(t.select(REQUESTS, **pair)) else {}

    return values


def tcp_rate(family: str, **flags: str) -> Callable[[Truth, Values], Expected]:
    """``sum by (destination) (rate(family{reporter="source", ...}))``; none without TCP."""

    def values(t: Truth, v: Values) -> Expected:
        pair = {SRC: v["service"], DEST: v["upstream"]}
        series = list(t.select(family, reporter="source", **pair, **flags))
        return {(v["upstream"],): sum(x.rate for x in series)} if series else {}

    return values


def tcp_by_caller(t: Truth, v: Values) -> Expected:
    s = v["service"]
    opened: dict[str, float] = {}
    for x in t.select("istio_tcp_connections_opened_total", reporter="source", **{DEST: s}):
        caller = x.label(CALLER) or ""
        opened[caller] = opened.get(caller, 0.0) + x.rate
    return {(c, s): rate for c, rate in opened.items()}


def tcp_accepted(t: Truth, v: Values) -> Expected:
    s = v["service"]
    found = list(
        t.select("istio_tcp_connections_opened_total", reporter="destination", **{DEST: s})
    )
    return {(s,): sum(x.rate for x in found)} if found else {}


def tcp_or_http_bytes(tcp: str, http: str) -> Callable[[Truth, Values], Expected]:
    """Bytes of TCP connections, else of HTTP bodies (the `_sum` of Istio's size histogram)."""

    def values(t: Truth, v: Values) -> Expected:
        over_tcp = tcp_rate(tcp)(t, v)
        if over_tcp:
            return over_tcp
        pair = {SRC: v["service"], DEST: v["upstream"]}
        bodies = t.histogram(http, reporter="source", **pair)
        return {(v["upstream"],): bodies.sum_rate} if bodies.pieces else {}

    return values


SERVICE, OVERVIEW = "meshdash-istio-service", "meshdash-istio-overview"
CODE, CLASS, FLAGS = "response_code", "response_code_class", "response_flags"
EXPECTATIONS: dict[tuple[str, str, str], tuple[tuple[str, ...], Callable[..., Expected]]] = {
    (OVERVIEW, "Mesh requests/s", "A"): ((), mesh_total(http_only(overview_rate))),
    (OVERVIEW, "Mesh 5xx ratio", "A"): ((), mesh_total(http_only(overview_error_ratio))),
    (OVERVIEW, "Mesh p99 latency", "A"): ((), mesh_total(http_only(overview_p99))),
    (OVERVIEW, "Requests/s", "A"): ((DEST,), http_only(overview_rate)),
    (OVERVIEW, "5xx ratio", "A"): ((DEST,), http_only(overview_error_ratio)),
    (OVERVIEW, "p99 latency", "A"): ((DEST,), http_only(overview_p99)),
    (SERVICE, "Inbound requests by response class", "A"): (
        (DEST, CLASS),
        http_only(inbound_by_class),
    ),
    (SERVICE, "Inbound success ratio", "A"): ((DEST,), http_only(inbound_success_ratio)),
    (SERVICE, "Requests to $service by caller", "A"): (
        (CALLER, DEST),
        http_only(requests_by_caller),
    ),
    (SERVICE, "Requests to $service by caller", "B"): ((DEST,), http_only(overview_rate)),
    (SERVICE, "Error ratio of $service as each caller saw it", "A"): (
        (CALLER, DEST),
        http_only(caller_error_ratio),
    ),
    (SERVICE, "p99 latency of $service as each caller saw it", "A"): (
        (CALLER, DEST),
        http_only(caller_p99),
    ),
    (SERVICE, "Failures: callers saw vs $service answered", "A"): (
        (DEST,),
        http_only(lambda t, v: _5xx(t, "source", v["service"])),
    ),
    (SERVICE, "Failures: callers saw vs $service answered", "B"): (
        (DEST,),
        http_only(lambda t, v: _5xx(t, "destination", v["service"])),
    ),
    (SERVICE, "Upstream requests to $upstream by response code", "A"): (
        (DEST, CODE),
        http_only(upstream_by_code, upstream=True),
    ),
    (SERVICE, "Upstream latency to $upstream", "A"): (
        (DEST,),
        http_only(upstream_quantile(0.5), upstream=True),
    ),
    (SERVICE, "Upstream latency to $upstream", "B"): (
        (DEST,),
        http_only(upstream_quantile(0.9), upstream=True),
    ),
    (SERVICE, "Upstream latency to $upstream", "C"): (
        (DEST,),
        http_only(upstream_quantile(0.99), upstream=True),
    ),
    (SERVICE, "Why calls to $upstream fail (response flags)", "A"): (
        (DEST, FLAGS),
        http_only(response_flags, upstream=True),
    ),
    (SERVICE, "Upstream success ratio of $upstream", "A"): (
        (DEST,),
        http_only(upstream_success_ratio, upstream=True),
    ),
    (SERVICE, "Connections to $service by caller", "A"): ((CALLER, DEST), tcp_by_caller),
    (SERVICE, "Connections to $service by caller", "B"): ((DEST,), tcp_accepted),
    (SERVICE, "Connections to $upstream", "A"): (
        (DEST,),
        tcp_rate("istio_tcp_connections_opened_total"),
    ),
    (SERVICE, "Connections to $upstream", "B"): (
        (DEST,),
        tcp_rate("istio_tcp_connections_closed_total"),
    ),
    (SERVICE, "Connections to $upstream", "C"): (
        (DEST,),
        tcp_rate("istio_tcp_connections_closed_total", response_flags="UF"),
    ),
    (SERVICE, "Bytes to and from $upstream", "A"): (
        (DEST,),
        tcp_or_http_bytes("istio_tcp_received_bytes_total", "istio_request_bytes"),
    ),
    (SERVICE, "Bytes to and from $upstream", "B"): (
        (DEST,),
        tcp_or_http_bytes("istio_tcp_sent_bytes_total", "istio_response_bytes"),
    ),
}


def test_every_shipped_istio_target_has_an_expectation() -> None:
    shipped = [
        (item.uid, ref.panel_title, ref.ref_id)
        for item in DASHBOARDS
        for ref in iter_targets(item.data)
    ]
    assert sorted(shipped) == sorted(EXPECTATIONS)


def test_the_two_reporters_differ_by_the_retried_attempts(backfill: Backfill) -> None:
    """Guards the premise: a query reading the wrong reporter, or both, gets other numbers."""
    truth = backfill.sandbox.truth
    pair = {SRC: "api", DEST: "payments"}
    sent = truth.rate(REQUESTS, reporter="source", **pair)
    answered = truth.rate(REQUESTS, reporter="destination", **pair)
    assert sent == backfill.sandbox.mesh.config.ingress_rps == 16.0
    # Every retry follows a 503 that the callee answered and the caller never passed on.
    failed = {
        r: truth.rate(REQUESTS, reporter=r, response_code="503", **pair)
        for r in ("source", "destination")
    }
    assert answered - sent == failed["destination"] - failed["source"] > 0
    # Retries are exhausted (URX) only at the caller; the callee answered each attempt.
    assert truth.rate(REQUESTS, reporter="source", response_flags="URX", **pair) > 0
    assert truth.rate(REQUESTS, reporter="destination", response_flags="URX") == 0


@pytest.mark.parametrize("key", sorted(EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_istio_panel_numbers_equal_ground_truth(
    backfill: Backfill, key: tuple[str, str, str]
) -> None:
    uid, title, ref_id = key
    labels, values = EXPECTATIONS[key]
    item = next(d for d in DASHBOARDS if d.uid == uid)
    assert compare_with_truth(backfill, item.data, title, ref_id, Expect(labels, values)) > 0
