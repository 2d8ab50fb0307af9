"""Istio's standard metrics over the same demo mesh: both reporters of every call.

``reporter="destination"`` is what the called workload's sidecar saw: every attempt
that reached it (retried ones included), by caller. ``reporter="source"`` is what
the caller's sidecar saw: final responses only (retries happen inside its router),
with ``response_flags="URX"`` on a 5xx returned once retries were exhausted. The
gap between the two is the "callers saw vs I answered" difference.

Labels are Istio's standard ones (docs: reference/config/metrics). The model keeps
no latency per response code, so a pair's latency is split over its codes in
proportion to their rates (every code gets the pair's distribution); a query that
sums over codes (every shipped one) sees the exact pair distribution.
Istio's ingress gateway reports only as a source, as in Istio.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.sim.distribution import Mixture, Piece
from generator.sim.model import Cluster, Sidecar, Traffic
from generator.sim.series import NAMESPACE, REQUEST_BYTES, RESPONSE_BYTES, Series

if TYPE_CHECKING:
    from generator.sim.tcp import TcpCall

REQUESTS = "istio_requests_total"
DURATION = "istio_request_duration_milliseconds"
#: body sizes in bytes, uniform between the bounds: the means are the Envoy stats' sizes
BODY_SIZES = {
    "istio_request_bytes": (REQUEST_BYTES / 2, REQUEST_BYTES * 3 / 2),
    "istio_response_bytes": (RESPONSE_BYTES / 2, RESPONSE_BYTES * 3 / 2),
}
TRUST_DOMAIN = "cluster.local"
#: the gRPC status Istio reports for an HTTP answer of a gRPC call (0 OK, 2 UNKNOWN)
GRPC_OK, GRPC_UNKNOWN = "0", "2"


@dataclass(frozen=True)
class _Call:
    """Requests from one caller sidecar to one callee sidecar, as one reporter saw them."""

    reporter: str
    caller: Sidecar
    callee: Sidecar | None
    destination: str
    traffic: Traffic
    grpc: bool
    exhausted: float = 0.0


def istio_series(sidecars: tuple[Sidecar, ...]) -> list[Series]:
    """Every ``istio_*`` series of the mesh, in a stable order."""
    calls = [*_source_calls(sidecars), *_destination_calls(sidecars)]
    return [s for call in calls for s in _call_series(call)]


def _callees(sidecars: tuple[Sidecar, ...], cluster: Cluster) -> list[Sidecar]:
    """The sidecars a cluster's requests reach (one per subset; all of a service without)."""
    return [
        s
        for s in sidecars
        if not s.gateway
        and s.service == cluster.destination
        and (cluster.subset is None or s.name == f"{s.service}-{cluster.subset}")
    ]


def _source_calls(sidecars: tuple[Sidecar, ...]) -> Iterator[_Call]:
    for caller in sidecars:
        for cluster in caller.clusters:
            if cluster.destination is None:
                continue
            callees = _callees(sidecars, cluster)
            yield _Call(
                "source",
                caller,
                callees[0] if len(callees) == 1 else None,
                cluster.destination,
                cluster.traffic,
                cluster.grpc_method is not None,
                cluster.retry.retry_limit_exceeded,
            )


def _destination_calls(sidecars: tuple[Sidecar, ...]) -> Iterator[_Call]:
    """Each callee's inbound requests by caller.

    With one calling workload the callee's own inbound traffic is the caller's (retried
    attempts included). With several (payments v1 and v2 calling currency), each
    caller's cluster traffic is what reached the callee: the model retries only on
    api -> payments, which has one caller, so no attempt is missed.
    """
    for callee in sidecars:
        if callee.gateway:
            continue
        callers = [
            (caller, cluster)
            for caller in sidecars
            for cluster in caller.clusters
            if cluster.destination is not None and callee in _callees(sidecars, cluster)
        ]
        single = len({caller.name for caller, _ in callers}) == 1
        for caller, cluster in callers:
            traffic = callee.inbound if single else cluster.traffic
            grpc = cluster.grpc_method is not None
            yield _Call("destination", caller, callee, callee.service, traffic, grpc)


def _workload(side: str, sidecar: Sidecar) -> dict[str, str]:
    revision = sidecar.name.removeprefix(f"{sidecar.service}-")
    revision = "latest" if revision == sidecar.name else revision
    return {
        f"{side}_workload": sidecar.name,
        f"{side}_workload_namespace": NAMESPACE,
        f"{side}_canonical_service": sidecar.service,
        f"{side}_canonical_revision": revision,
        f"{side}_app": sidecar.service,
        f"{side}_version": revision,
        f"{side}_principal": f"spiffe://{TRUST_DOMAIN}/ns/{NAMESPACE}/sa/{sidecar.service}",
        f"{side}_cluster": "Kubernetes",
    }


def _call_labels(call: _Call) -> dict[str, str]:
    protocol = "grpc" if call.grpc else "http"
    return _pair_labels(call.reporter, call.caller, call.callee, call.destination, protocol)


def _pair_labels(
    reporter: str, caller: Sidecar, callee: Sidecar | None, destination: str, protocol: str
) -> dict[str, str]:
    """Istio's standard labels of calls from `caller` to `destination` (`callee` if known)."""
    called = (
        _workload("destination", callee)
        if callee is not None
        else {"destination_workload": "unknown", "destination_canonical_service": destination}
    )
    return {
        "reporter": reporter,
        **_workload("source", caller),
        **called,
        "destination_service": f"{destination}.{NAMESPACE}.svc.cluster.local",
        "destination_service_name": destination,
        "destination_service_namespace": NAMESPACE,
        "request_protocol": protocol,
        "connection_security_policy": "mutual_tls" if reporter == "destination" else "unknown",
    }


def istio_tcp_series(calls: list[TcpCall]) -> Iterator[Series]:
    """`istio_tcp_*` of TCP calls, from both reporters (they see the same connections).

    A connection that failed to connect is opened (downstream) and closed with `UF`.

    Istio's "sent" bytes are those sent during the response (callee to caller),
    "received" those received during the request (caller to callee).
    """
    for call in calls:
        for reporter, sidecar in (("source", call.caller), ("destination", call.callee)):
            labels = _pair_labels(reporter, call.caller, call.callee, call.callee.service, "tcp")
            rows = [
                ("istio_tcp_connections_opened_total", "-", call.opened),
                ("istio_tcp_connections_closed_total", "-", call.opened - call.failed),
                ("istio_tcp_connections_closed_total", "UF", call.failed),
                ("istio_tcp_sent_bytes_total", "-", call.received),
                ("istio_tcp_received_bytes_total", "-", call.sent),
            ]
            for family, flags, rate in rows:
                flagged = tuple(sorted({**labels, "response_flags": flags}.items()))
                yield Series(family, sidecar.name, flagged, rate=rate)


def _call_series(call: _Call) -> Iterator[Series]:
    base = _call_labels(call)
    total = call.traffic.rate
    exhausted = call.exhausted
    for code, rate in sorted(call.traffic.codes.items()):
        labels = {**base, "response_code": str(code)}
        if call.grpc:
            labels["grpc_response_status"] = GRPC_OK if code < 400 else GRPC_UNKNOWN
        flagged = min(rate, exhausted) if code >= 500 else 0.0
        exhausted -= flagged
        for flags, part in (("-", rate - flagged), ("URX", flagged)):
            if part <= 0:
                continue
            with_flags = {**labels, "response_flags": flags}
            yield _series(REQUESTS, call, with_flags, rate=part)
            share = _scaled(call.traffic.latency, part / total)
            yield _series(DURATION, call, with_flags, mixture=share)
            for family, (lo, hi) in BODY_SIZES.items():
                sizes = Mixture.of([Piece(part, lo, hi)])
                yield _series(family, call, with_flags, mixture=sizes)


def _series(family: str, call: _Call, labels: dict[str, str], **kw: object) -> Series:
    # Each reporter's series are exposed by its own sidecar.
    sidecar = call.caller if call.reporter == "source" else call.callee
    assert sidecar is not None  # a destination call always has its callee
    return Series(family, sidecar.name, tuple(sorted(labels.items())), **kw)  # type: ignore[arg-type]


def _scaled(mixture: Mixture, share: float) -> Mixture:
    return Mixture.of(p.shifted(0.0, 0.0, rate=p.rate * share) for p in mixture.pieces)
