"""The story's incidents as Istio's standard metrics report them (``--flavor istio``).

Istio reports a call on both sides (``reporter``), so each incident is a copy of an
existing call's series, one per reporter, with what changed: the 403s of api's
denied ``/admin`` calls to payments (v1), the grpc-status 7 of payments' denied
``FakeService.Admin`` calls to currency (HTTP 200, as gRPC answers), and requests
reaching currency without mTLS (``connection_security_policy="none"``, destination
side only). Istio's labels carry no gRPC method, so the method is not visible here.
The faults of api's cluster to payments v2 show at the caller (``reporter="source"``)
as Envoy's response flags, each at its counter's rate (:data:`FAULT_FLAGS`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from generator.sim.incidents import Incidents
from generator.sim.series import Series

REQUESTS = "istio_requests_total"
#: Envoy's response flag for each fault counter of the story, and the code the caller gets.
FAULT_FLAGS: tuple[tuple[str, str, str], ...] = (
    ("upstream_cx_connect_fail", "UF", "503"),
    ("upstream_cx_none_healthy", "UH", "503"),
    ("upstream_rq_pending_overflow", "UO", "503"),
    ("upstream_rq_timeout", "UT", "504"),
    ("upstream_rq_rx_reset", "UR", "503"),
    ("upstream_rq_tx_reset", "LR", "503"),
    ("upstream_cx_destroy_remote_with_active_rq", "UC", "503"),
)


def istio_incidents(series: list[Series], incidents: Incidents) -> Iterator[Series]:
    """New ``istio_requests_total`` series for the incidents (none without Istio's series)."""
    calls = [s for s in series if s.family == REQUESTS and s.label("response_code") == "200"]
    api = _first(calls, "api", "payments")
    payments = _first(calls, _first_payments_workload(calls), "currency", by_workload=True)
    for s in api:
        yield _changed(s, incidents.l7_denied_rps, response_code="403")
    for s in payments:
        yield _changed(s, incidents.grpc_denied_rps, grpc_response_status="7")
        if s.label("reporter") == "destination":
            yield _changed(s, incidents.plaintext_rps, connection_security_policy="none")
    faults = dict(incidents.cluster_faults)
    for s in _first(calls, "api", "payments", version="v2"):
        if s.label("reporter") != "source":
            continue
        for counter, flag, code in FAULT_FLAGS:
            if faults.get(counter):
                yield _changed(s, faults[counter], response_flags=flag, response_code=code)


def _first_payments_workload(calls: list[Series]) -> str:
    names = sorted(
        s.label("source_workload") or ""
        for s in calls
        if s.label("source_canonical_service") == "payments"
    )
    return names[0] if names else ""


def _first(
    calls: list[Series],
    source: str,
    destination: str,
    *,
    by_workload: bool = False,
    version: str | None = None,
) -> list[Series]:
    """One series per reporter of the first call from ``source`` to ``destination``."""
    label = "source_workload" if by_workload else "source_canonical_service"
    found: dict[str, Series] = {}
    for s in sorted(calls, key=lambda s: s.labels):
        if version is not None and s.label("destination_version") != version:
            continue
        if s.label(label) == source and s.label("destination_canonical_service") == destination:
            found.setdefault(s.label("reporter") or "", s)
    return [found[reporter] for reporter in sorted(found)]


def _changed(s: Series, rate: float, **labels: str) -> Series:
    new = tuple(sorted((dict(s.labels) | labels).items()))
    return replace(s, labels=new, rate=rate, mixture=None)
