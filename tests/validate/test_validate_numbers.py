"""Every shipped panel's numbers equal the simulator's ground truth.

The queries are the shipped ones: built from their files in dashboards/, their variables
resolved and their targets interpolated by meshdash validate's own resolver
and planner, run as range queries by its client against a real Prometheus
over a backfilled window, at the step validation itself uses (wider than
Grafana's; see :mod:`generator.validate.runner`).

Tolerance: 1e-6 relative (1e-9 absolute). The simulator's counters are linear
in time, so ``rate()`` over a window fully inside the backfill is the exact
slope (Prometheus's extrapolation of a straight line stays on it); sums and
ratios of exact rates are exact up to float rounding (~1e-15).
``histogram_quantile`` interpolates linearly inside the bucket, and the truth's
``quantile`` does the same on the same exact bucket rates, so it too agrees to
float rounding. (The *configured* distribution's exact quantile differs by the
bucket interpolation error; that is the dashboard's inherent error, not a bug,
and is not what is compared here.) Only points whose rate window lies wholly
inside the backfill are compared.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from generator.promql.dashboard import iter_targets
from generator.promql.interpolate import builtin_values
from generator.sim import Truth
from generator.sim.truth import PUBLIC_LISTENER
from generator.validate.runner import QueryWindow, plan_panels
from tests.conftest import build_shipped

#: Points per series compared: 10 minutes at the validation step, less the first window.
MIN_POINTS = 9
REL_TOL = 1e-6
ABS_TOL = 1e-9
#: The story's dashboards (release, resilience, security) are held to it in test_story_numbers.py.
DASHBOARDS = [d for d in build_shipped() if d.uid in {"meshdash-overview", "meshdash-service"}]

Values = dict[str, str]
Expected = dict[tuple[str, ...], float]


@dataclass(frozen=True)
class Expect:
    """The result series of one target: the labels that name them, and their values."""

    labels: tuple[str, ...]
    values: Callable[[Truth, Values], Expected]


def _classes(truth: Truth, family: str, **labels: str) -> list[str]:
    found = {s.label("envoy_response_code_class") for s in truth.select(family, **labels)}
    return sorted(c for c in found if c)


def _codes(truth: Truth, family: str, source: str, destination: str) -> list[str]:
    series = truth.select(
        family, consul_source_service=source, consul_destination_service=destination
    )
    return sorted({s.label("envoy_response_code") or "" for s in series} - {""})


def inbound_by_class(t: Truth, v: Values) -> Expected:
    s = v["service"]
    family = "envoy_listener_http_downstream_rq_xx"
    classes = _classes(t, family, local_cluster=s, envoy_http_conn_manager_prefix=PUBLIC_LISTENER)
    return {(s, c): t.downstream_rate(s, c) for c in classes}


def inbound_success_ratio(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(s,): 1 - t.downstream_rate(s, "5") / t.downstream_rate(s)}


def upstream_by_code(family: str) -> Callable[[Truth, Values], Expected]:
    def values(t: Truth, v: Values) -> Expected:
        s, u = v["service"], v["upstream"]
        return {
            (u, code): t.rate(
                family,
                consul_source_service=s,
                consul_destination_service=u,
                envoy_response_code=code,
            )
            for code in _codes(t, family, s, u)
        }

    return values


def upstream_quantile(q: float) -> Callable[[Truth, Values], Expected]:
    def values(t: Truth, v: Values) -> Expected:
        return {(v["upstream"],): t.upstream_quantile(v["service"], v["upstream"], q)}

    return values


def retries(t: Truth, v: Values) -> Expected:
    return {(v["upstream"],): t.retries(v["service"], v["upstream"])}


def retry_responses_by_class(t: Truth, v: Values) -> Expected:
    s, u = v["service"], v["upstream"]
    family = "envoy_cluster_retry_upstream_rq_xx"
    classes = _classes(t, family, consul_source_service=s, consul_destination_service=u)
    return {(u, c): t.retry_rate(s, u, code_class=c) for c in classes}


def upstream_success_ratio(t: Truth, v: Values) -> Expected:
    s, u = v["service"], v["upstream"]
    family = "envoy_cluster_upstream_rq_xx"
    classes = _classes(t, family, consul_source_service=s, consul_destination_service=u)
    ok = sum(t.upstream_rate(s, u, code_class=c) for c in classes if c != "5")
    return {(u,): ok / t.upstream_rate(s, u)}


def overview_rate(t: Truth, v: Values) -> Expected:
    return {(v["service"],): t.downstream_rate(v["service"])}


def overview_error_ratio(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(s,): t.downstream_rate(s, "5") / t.downstream_rate(s)}


def overview_p99(t: Truth, v: Values) -> Expected:
    return {(v["service"],): t.inbound_quantile(v["service"], 0.99)}


def _callers(t: Truth, service: str) -> list[str]:
    found = t.select("envoy_cluster_upstream_rq_xx", consul_destination_service=service)
    return sorted({s.label("consul_source_service") or "" for s in found} - {""})


def _from_caller(t: Truth, caller: str, service: str, code_class: str | None = None) -> float:
    """Final responses ``caller``'s cluster got from ``service`` (of one class, or all)."""
    return t.rate(
        "envoy_cluster_upstream_rq_xx",
        consul_source_service=caller,
        consul_destination_service=service,
        envoy_response_code_class=code_class,
    )


def requests_by_caller(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(c, s): _from_caller(t, c, s) for c in _callers(t, s)}


def caller_error_ratio(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(c, s): _from_caller(t, c, s, "5") / _from_caller(t, c, s) for c in _callers(t, s)}


def caller_p99(t: Truth, v: Values) -> Expected:
    s = v["service"]
    return {(c, s): t.upstream_quantile(c, s, 0.99) for c in _callers(t, s)}


def callers_saw_5xx(t: Truth, v: Values) -> Expected:
    s = v["service"]
    seen = sum(_from_caller(t, c, s, "5") for c in _callers(t, s))
    return {(s,): seen} if seen else {}


def service_answered_5xx(t: Truth, v: Values) -> Expected:
    s = v["service"]
    answered = t.downstream_rate(s, "5")
    return {(s,): answered} if answered else {}


def connections_by_caller(t: Truth, v: Values) -> Expected:
    s = v["service"]
    opened = t.select("envoy_cluster_upstream_cx_total", consul_destination_service=s)
    callers = sorted({x.label(SOURCE) or "" for x in opened} - {""})
    return {(c, s): t.upstream("envoy_cluster_upstream_cx_total", c, s) for c in callers}


def connections_accepted(t: Truth, v: Values) -> Expected:
    """A TCP service's own TCP proxy; an HTTP service has none (no series)."""
    s = v["service"]
    family, prefix = "envoy_tcp_downstream_cx_total", PUBLIC_LISTENER
    found = list(t.select(family, local_cluster=s, envoy_tcp_prefix=prefix))
    return {(s,): sum(x.rate for x in found)} if found else {}


def upstream_family(family: str) -> Callable[[Truth, Values], Expected]:
    """``sum by (destination)`` of a cluster family from ``$service`` to ``$upstream``."""

    def values(t: Truth, v: Values) -> Expected:
        return {(v["upstream"],): t.upstream(family, v["service"], v["upstream"])}

    return values


def connection_length(q: float) -> Callable[[Truth, Values], Expected]:
    def values(t: Truth, v: Values) -> Expected:
        s, u = v["service"], v["upstream"]
        family = "envoy_cluster_upstream_cx_length_ms"
        return {(u,): t.quantile(family, q, consul_source_service=s, consul_destination_service=u)}

    return values


def mesh_total(per_service: Callable[[Truth, Values], Expected]) -> Callable[..., Expected]:
    """A mesh stat over one selected service: that service's figure (if any), with no labels."""

    def values(t: Truth, v: Values) -> Expected:
        figures = list(per_service(t, v).values())
        assert len(figures) <= 1, "a mesh stat over one service is that service's one figure"
        return {(): figures[0]} if figures else {}

    return values


#: (panel, target) with data only in a mesh that has a TCP service
ONLY_WITH_TCP = {("Connections to $service by caller", "B")}
DEST, CODE, CLASS = "consul_destination_service", "envoy_response_code", "envoy_response_code_class"
SOURCE = "consul_source_service"
EXPECTATIONS: dict[tuple[str, str, str], Expect] = {
    ("meshdash-overview", "Mesh requests/s", "A"): Expect((), mesh_total(overview_rate)),
    ("meshdash-overview", "Mesh 5xx ratio", "A"): Expect((), mesh_total(overview_error_ratio)),
    ("meshdash-overview", "Mesh p99 latency", "A"): Expect((), mesh_total(overview_p99)),
    ("meshdash-overview", "Requests/s", "A"): Expect(("local_cluster",), overview_rate),
    ("meshdash-overview", "5xx ratio", "A"): Expect(("local_cluster",), overview_error_ratio),
    ("meshdash-overview", "p99 latency", "A"): Expect(("local_cluster",), overview_p99),
    ("meshdash-service", "Inbound requests by response class", "A"): Expect(
        ("local_cluster", CLASS), inbound_by_class
    ),
    ("meshdash-service", "Inbound success ratio", "A"): Expect(
        ("local_cluster",), inbound_success_ratio
    ),
    ("meshdash-service", "Requests to $service by caller", "A"): Expect(
        (SOURCE, DEST), requests_by_caller
    ),
    ("meshdash-service", "Requests to $service by caller", "B"): Expect(
        ("local_cluster",), overview_rate
    ),
    ("meshdash-service", "Connections to $service by caller", "A"): Expect(
        (SOURCE, DEST), connections_by_caller
    ),
    ("meshdash-service", "Connections to $service by caller", "B"): Expect(
        ("local_cluster",), connections_accepted
    ),
    ("meshdash-service", "Error ratio of $service as each caller saw it", "A"): Expect(
        (SOURCE, DEST), caller_error_ratio
    ),
    ("meshdash-service", "p99 latency of $service as each caller saw it", "A"): Expect(
        (SOURCE, DEST), caller_p99
    ),
    ("meshdash-service", "Failures: callers saw vs $service answered", "A"): Expect(
        (DEST,), callers_saw_5xx
    ),
    ("meshdash-service", "Failures: callers saw vs $service answered", "B"): Expect(
        ("local_cluster",), service_answered_5xx
    ),
    ("meshdash-service", "Upstream requests to $upstream by response code", "A"): Expect(
        (DEST, CODE), upstream_by_code("envoy_cluster_upstream_rq")
    ),
    (
        "meshdash-service",
        "Upstream external-origin requests to $upstream by response code",
        "A",
    ): Expect((DEST, CODE), upstream_by_code("envoy_cluster_external_upstream_rq")),
    ("meshdash-service", "Upstream latency to $upstream", "A"): Expect(
        (DEST,), upstream_quantile(0.5)
    ),
    ("meshdash-service", "Upstream latency to $upstream", "B"): Expect(
        (DEST,), upstream_quantile(0.9)
    ),
    ("meshdash-service", "Upstream latency to $upstream", "C"): Expect(
        (DEST,), upstream_quantile(0.99)
    ),
    ("meshdash-service", "Retries to $upstream", "A"): Expect((DEST,), retries),
    ("meshdash-service", "Retries to $upstream", "B"): Expect(
        (DEST, CLASS), retry_responses_by_class
    ),
    ("meshdash-service", "Connections to $upstream", "A"): Expect(
        (DEST,), upstream_family("envoy_cluster_upstream_cx_total")
    ),
    ("meshdash-service", "Connections to $upstream", "B"): Expect(
        (DEST,), upstream_family("envoy_cluster_upstream_cx_active")
    ),
    ("meshdash-service", "Connections to $upstream", "C"): Expect(
        (DEST,), upstream_family("envoy_cluster_upstream_cx_connect_fail")
    ),
    ("meshdash-service", "Bytes to and from $upstream", "A"): Expect(
        (DEST,), upstream_family("envoy_cluster_upstream_cx_tx_bytes_total")
    ),
    ("meshdash-service", "Bytes to and from $upstream", "B"): Expect(
        (DEST,), upstream_family("envoy_cluster_upstream_cx_rx_bytes_total")
    ),
    ("meshdash-service", "Connection length to $upstream", "A"): Expect(
        (DEST,), connection_length(0.5)
    ),
    ("meshdash-service", "Connection length to $upstream", "B"): Expect(
        (DEST,), connection_length(0.99)
    ),
    ("meshdash-service", "Upstream success ratio of $upstream", "A"): Expect(
        (DEST,), upstream_success_ratio
    ),
}


def _shipped_targets() -> Iterator[tuple[str, str, str]]:
    for item in DASHBOARDS:
        for ref in iter_targets(item.data):
            yield item.uid, ref.panel_title, ref.ref_id


def test_every_shipped_target_has_an_expectation() -> None:
    assert sorted(_shipped_targets()) == sorted(EXPECTATIONS)


def test_the_truth_itself_matches_the_demo_story(backfill: Any) -> None:
    """Guards against truth and query being wrong together: api answers what ingress sends."""
    truth = backfill.sandbox.truth
    assert truth.downstream_rate("api") == backfill.sandbox.mesh.config.ingress_rps == 16.0
    assert truth.upstream_rate("ingress-gateway", "api") == 16.0


@pytest.mark.parametrize("key", sorted(EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_panel_numbers_equal_ground_truth(backfill: Any, key: tuple[str, str, str]) -> None:
    item = next(d for d in DASHBOARDS if d.uid == key[0])
    checked = compare_with_truth(backfill, item.data, key[1], key[2], EXPECTATIONS[key])
    # A TCP proxy's count is empty in the demo without its TCP service (test_validate_tcp).
    assert (checked == 0) if key[1:] in ONLY_WITH_TCP else (checked > 0)


def compare_with_truth(
    backfill: Any, dashboard: dict[str, Any], title: str, ref_id: str, expect: Expect
) -> int:
    """Runs one target for every single variable value; asserts each point; the count checked."""
    _, plans = plan_panels(dashboard, backfill.client, backfill.options)
    # The truth is per single value; All and two-value choices are judged in test_validate_widened.
    jobs = [
        j
        for p in plans
        if p.key.title == title
        for j in p.jobs
        if j.ref.ref_id == ref_id and j.widened is None
    ]
    assert jobs, f"no query planned for {title!r} {ref_id}"
    checked = 0
    # A batched job carries its expression deferred (see generator.validate.plan.Job).
    for job in (j.expanded() for j in jobs):
        values = dict(job.values)
        got = _run(backfill, job.expr, expect.labels)
        want = expect.values(backfill.sandbox.truth, values)
        assert set(got) == set(want), f"{values}: series {sorted(got)} != truth {sorted(want)}"
        for series_key, points in got.items():
            for at, value in points:
                assert math.isclose(value, want[series_key], rel_tol=REL_TOL, abs_tol=ABS_TOL), (
                    f"{values} {series_key} at {at}: {value} != truth {want[series_key]}"
                )
                checked += 1
    return checked


def _run(
    backfill: Any, expr: str | None, labels: tuple[str, ...]
) -> dict[tuple[str, ...], list[tuple[float, float]]]:
    """The range query's points whose rate window lies wholly inside the backfill."""
    assert expr is not None
    options = backfill.options
    start, end, step = QueryWindow.of(options.time_range, options.scrape_interval).validation(expr)
    builtins = builtin_values(options.time_range, scrape_interval=options.scrape_interval)
    first_full = options.time_range.start_ms / 1000 + int(builtins["__rate_interval_ms"]) / 1000
    result: dict[tuple[str, ...], list[tuple[float, float]]] = {}
    for series in backfill.client.range(expr, start=start, end=end, step=step):
        key = tuple(series.labels.get(label, "") for label in labels)
        assert key not in result, f"two series named {key}: {series.labels}"
        result[key] = [(t, v) for t, v in series.points if t >= first_full]
        assert len(result[key]) >= MIN_POINTS, f"{key}: {len(result[key])} points inside"
    return result
