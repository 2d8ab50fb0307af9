"""The story's incidents as Istio's standard metrics report them (``--flavor istio``).

Istio reports a call on both sides (``reporter``), so each incident is a copy of an
existing call's series, one per reporter, with what changed: the 403s of api's
denied ``/admin`` calls to payments (v1), the grpc-status 7 of payments' denied
``FakeService.Admin`` calls to currency (HTTP 200, as gRPC answers), and requests
reaching currency without mTLS (``connection_security_policy="none"``, destination
side only). Istio's labels carry no gRPC method, so the method is not visible here.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from generator.sim.incidents import Incidents
from generator.sim.series import Series

REQUESTS = "istio_requests_total"


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


def _first_payments_workload(calls: list[Series]) -> str:
    names = sorted(
        s.label("source_workload") or ""
        for s in calls
        if s.label("source_canonical_service") == "payments"
    )
    return names[0] if names else ""


def _first(
    calls: list[Series], source: str, destination: str, *, by_workload: bool = False
) -> list[Series]:
    """One series per reporter of the first call from ``source`` to ``destination``."""
    label = "source_workload" if by_workload else "source_canonical_service"
    found: dict[str, Series] = {}
    for s in sorted(calls, key=lambda s: s.labels):
        if s.label(label) == source and s.label("destination_canonical_service") == destination:
            found.setdefault(s.label("reporter") or "", s)
    return [found[reporter] for reporter in sorted(found)]


def _changed(s: Series, rate: float, **labels: str) -> Series:
    new = tuple(sorted((dict(s.labels) | labels).items()))
    return replace(s, labels=new, rate=rate, mixture=None)
