"""The demo's security, release and resilience story on top of the fluid model (issue 11).

:func:`with_story` takes the series :func:`generator.sim.series.mesh_series` made
and adds what the observability model leaves out: RBAC decisions (Consul's L7
intentions are Envoy's HTTP RBAC filter on the public listener), TLS handshakes
on listeners and clusters and days until the first certificate expires; with
``MeshConfig(incidents=Incidents())`` also the release events a controller emits
(exposed by a sidecar of the released service, standing in for a Pushgateway)
and the story's faults, at the rates given there:

- an L4 intention denies connections to each tcp service (``MeshConfig(tcp_service=True)``;
  Consul's network RBAC filter, ``connect_authz``, exists only there);
- an L7 intention denies api's ``/admin`` calls to payments (403, HTTP RBAC
  ``denied`` on payments' sidecar), and a gRPC method intention denies payments'
  ``FakeService.Admin`` calls to currency (grpc-status 7 under HTTP 200);
- a shadow policy on payments that would deny some requests;
- handshakes on currency's public listener failing SAN verification;
- payments v2's certificate about to expire;
- api's cluster to payments v2 (``payments`` without subsets) failing for every
  reason Envoy counts, its retry breaker open (no retries left), and one of its
  two endpoints ejected by outlier detection.

Fault counters sit beside the traffic model: they do not change its rates, so
the observability story's numbers stay as they are. Without incidents every
fault is 0 and the per-status and per-code families Envoy creates lazily (the
403s, grpc-status 7) are not emitted at all, as in Envoy.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

from generator.flavors import Flavor, as_flavor
from generator.metrics_catalogue import RELEASE_EVENT_METRIC
from generator.sim.incidents import Incidents
from generator.sim.series import Series
from generator.sim.story_istio import istio_incidents

#: Days a healthy sidecar's leaf certificate has left (Consul's leaf TTL is 72 hours).
HEALTHY_CERT_DAYS = 2.0
#: Release events the simulator emits: seconds after the mesh starts, service, version, text.
RELEASE_EVENTS: tuple[tuple[float, str, str, str], ...] = (
    (120.0, "payments", "v2", "payments v2 canary at 10%"),
    (300.0, "payments", "v2", "payments v2 canary at 50%"),
)
#: Gauges of the faulty cluster: one of two endpoints ejected, the retry breaker open.
CLUSTER_FAULT_GAUGES: tuple[tuple[str, float], ...] = (
    ("outlier_detection_ejections_active", 1.0),
    ("membership_total", 2.0),
    ("circuit_breakers_default_rq_retry_open", 1.0),
    ("circuit_breakers_default_remaining_retries", 0.0),
)
#: Families this module adds per upstream cluster, 0 unless a fault says otherwise.
NEW_CLUSTER_COUNTERS = (
    "upstream_cx_connect_timeout",
    "upstream_cx_none_healthy",
    "upstream_cx_overflow",
    "upstream_cx_destroy_remote_with_active_rq",
)
PUBLIC = "public_listener"


def with_story(
    series: list[Series], incidents: Incidents | None, start: float, flavor: Flavor | None = None
) -> list[Series]:
    """``series`` with the story's families added and, with incidents, its faults applied.

    Under plain Envoy (``flavor`` or the current one) the public listener is the
    flavor's ``inbound_prefix`` and the proxy's service its scrape label; the faults
    and their rates are the same.
    """
    mesh = as_flavor(flavor)
    faulty = _faulty_cluster(series, mesh)
    faults = dict(incidents.cluster_faults) if incidents else {}
    gauges = dict(CLUSTER_FAULT_GAUGES) if incidents else {}
    added = _forbidden_totals(faulty, incidents)
    out = []
    for s in series:
        if _is(s, "api", faulty) and (key := _short(s.family)) in (faults.keys() | gauges.keys()):
            s = replace(s, rate=faults.get(key, gauges.get(key, s.rate)))
        if _is(s, "api", _forbidden_cluster(faulty)) and s.family in added:
            s = replace(s, rate=s.rate + added[s.family])
        out.append(s)
    out.extend(_new_cluster_counters(series, faulty, faults))
    out.extend(_rbac(series, incidents, mesh))
    out.extend(_network_rbac(series, incidents, _public(mesh)))
    out.extend(_tls(series, incidents, mesh))
    out.extend(_certificates(series, incidents))
    if incidents:
        out.extend(_denied_calls(series, faulty, incidents))
        out.extend(istio_incidents(series, incidents))
        out.extend(_release_events(series, start))
    return out


def _short(family: str) -> str:
    return family.removeprefix("envoy_cluster_")


def _is(s: Series, sidecar: str, cluster: str) -> bool:
    return s.sidecar == sidecar and s.label("envoy_cluster_name") == cluster


def _public(flavor: Flavor) -> str:
    """The stat prefix of the inbound listener (Consul's is fixed, plain Envoy's configured)."""
    return flavor.inbound_prefix if flavor.name == "envoy" else PUBLIC


def _faulty_cluster(series: list[Series], flavor: Flavor) -> str:
    """api's cluster to payments v2 (``v2`` with subsets, else ``payments``)."""
    names = {
        s.label("envoy_cluster_name")
        for s in series
        if s.sidecar == "api" and s.label(flavor.destination_label) == "payments"
    }
    return "v2" if "v2" in names else "payments"


def _new_cluster_counters(
    series: list[Series], faulty: str, faults: dict[str, float]
) -> Iterator[Series]:
    """Failure counters the base catalogue lacks, on every cluster (labels of connect_fail)."""
    for s in series:
        if s.family != "envoy_cluster_upstream_cx_connect_fail":
            continue
        for name in NEW_CLUSTER_COUNTERS:
            rate = faults.get(name, 0.0) if _is(s, "api", faulty) else 0.0
            yield replace(s, family=f"envoy_cluster_{name}", rate=rate)


def _public_requests(series: list[Series], prefix: str) -> Iterator[Series]:
    """Each sidecar's requests on its public listener (gateways have none)."""
    for s in series:
        if (
            s.family == "envoy_http_downstream_rq_total"
            and s.label("envoy_http_conn_manager_prefix") == prefix
        ):
            yield s


def _rbac(series: list[Series], incidents: Incidents | None, flavor: Flavor) -> Iterator[Series]:
    """HTTP RBAC on every public listener; a shadow policy on the payments sidecars."""
    payments = _first_payments(series)
    for s in _public_requests(series, _public(flavor)):
        denied = 0.0
        if incidents and s.sidecar == payments:
            denied = incidents.l7_denied_rps
        if incidents and s.sidecar == "currency":
            denied = incidents.grpc_denied_rps
        yield replace(s, family="envoy_http_rbac_allowed")
        yield replace(s, family="envoy_http_rbac_denied", rate=denied)
        if s.label(flavor.proxy_label) == "payments":
            shadow = incidents.shadow_denied_rps if incidents else 0.0
            if s.sidecar != payments:
                shadow = 0.0
            yield replace(s, family="envoy_http_rbac_shadow_denied", rate=shadow)
            total = s.rate + denied
            yield replace(s, family="envoy_http_rbac_shadow_allowed", rate=total - shadow)


def _network_rbac(
    series: list[Series], incidents: Incidents | None, public: str
) -> Iterator[Series]:
    """Consul's L4 intentions (stat prefix ``connect_authz``) on each tcp service's listener.

    Consul puts the network RBAC filter only where the protocol is tcp; its stats carry
    no tag of their own, only Consul's fixed ones.
    """
    denied = incidents.l4_denied_cps if incidents else 0.0
    for s in series:
        if s.family == "envoy_tcp_downstream_cx_total" and s.label("envoy_tcp_prefix") == public:
            labels = tuple((k, v) for k, v in s.labels if k != "envoy_tcp_prefix")
            yield Series("envoy_connect_authz_rbac_allowed", s.sidecar, labels, rate=s.rate)
            yield Series("envoy_connect_authz_rbac_denied", s.sidecar, labels, rate=denied)


def _first_payments(series: list[Series]) -> str:
    return min((s.sidecar for s in series if s.sidecar.startswith("payments")), default="")


def _tls(series: list[Series], incidents: Incidents | None, flavor: Flavor) -> Iterator[Series]:
    """mTLS on every public listener and every upstream cluster: a handshake per connection."""
    for s in series:
        public = s.family == "envoy_listener_downstream_cx_total" and not (
            s.label("envoy_listener_address") or ""
        ).startswith("127.0.0.1_")
        if public and s.sidecar != "ingress-gateway":
            failing = incidents.tls_failures_cps if incidents and s.sidecar == "currency" else 0.0
            yield replace(s, family="envoy_listener_ssl_handshake")
            yield replace(s, family="envoy_listener_ssl_fail_verify_san", rate=failing)
            for name in ("connection_error", "fail_verify_no_cert", "fail_verify_error"):
                yield replace(s, family=f"envoy_listener_ssl_{name}", rate=0.0)
        if s.family == "envoy_cluster_upstream_cx_total" and _to_service(s, flavor):
            yield replace(s, family="envoy_cluster_ssl_handshake")
            for name in ("connection_error", "fail_verify_error"):
                yield replace(s, family=f"envoy_cluster_ssl_{name}", rate=0.0)


def _to_service(s: Series, flavor: Flavor) -> bool:
    """A cluster to another service of the mesh (not plain Envoy's cluster to its own app)."""
    destination = s.label(flavor.destination_label)
    return bool(destination) and destination != flavor.local_app_cluster


def _certificates(series: list[Series], incidents: Incidents | None) -> Iterator[Series]:
    """``envoy_server_days_until_first_cert_expiring`` per sidecar, with Consul's stat tags."""
    seen: set[str] = set()
    for s in series:
        if s.family != "envoy_listener_downstream_cx_total" or s.sidecar in seen:
            continue
        seen.add(s.sidecar)
        labels = tuple((k, v) for k, v in s.labels if k != "envoy_listener_address")
        days = HEALTHY_CERT_DAYS
        if incidents and s.sidecar == "payments-v2":
            days = incidents.expiring_cert_days
        family = "envoy_server_days_until_first_cert_expiring"
        yield Series(family, s.sidecar, labels, rate=days)


def _forbidden_cluster(faulty: str) -> str:
    """api's cluster whose ``/admin`` calls an L7 intention denies: payments v1."""
    return "v1" if faulty == "v2" else "payments"


def _forbidden_totals(faulty: str, incidents: Incidents | None) -> dict[str, float]:
    """What the 403s add to the forbidden cluster's attempt and response totals."""
    if not incidents:
        return {}
    families = ("upstream_rq_total", "upstream_rq_completed", "external_upstream_rq_completed")
    return {f"envoy_cluster_{name}": incidents.l7_denied_rps for name in families}


def _denied_calls(series: list[Series], faulty: str, incidents: Incidents) -> Iterator[Series]:
    """What denied callers see: api's 403s from payments, payments' grpc-status 7 from currency."""
    forbidden = _forbidden_cluster(faulty)
    payments = _first_payments(series)
    for s in series:
        if _is(s, "api", forbidden):
            yield from _forbidden(s, incidents.l7_denied_rps)
        if s.sidecar == payments and s.family == "envoy_cluster_grpc_total":
            labels = dict(s.labels) | {"envoy_grpc_bridge_method": "Admin"}
            tagged = tuple(sorted(labels.items()))
            for status in ("7", "failure", "total"):
                family = f"envoy_cluster_grpc_{status}"
                yield Series(family, s.sidecar, tagged, rate=incidents.grpc_denied_rps)


def _forbidden(s: Series, rate: float) -> Iterator[Series]:
    """403 responses on one cluster series: the per-code twins, and the totals they add to."""
    for prefix in ("envoy_cluster_upstream_rq", "envoy_cluster_external_upstream_rq"):
        if s.family == f"{prefix}_completed":
            labels = dict(s.labels)
            yield Series(prefix, s.sidecar, _sorted(labels, envoy_response_code="403"), rate)
            yield Series(
                f"{prefix}_xx", s.sidecar, _sorted(labels, envoy_response_code_class="4"), rate
            )


def _sorted(labels: dict[str, str], **extra: str) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((labels | extra).items()))


def _release_events(series: list[Series], start: float) -> Iterator[Series]:
    """Each release event as a gauge holding its unix time, exposed by a sidecar of its service."""
    sidecars = sorted({s.sidecar for s in series})
    for offset, service, version, text in RELEASE_EVENTS:
        host = next((name for name in sidecars if name.startswith(service)), None)
        if host is None:
            continue
        labels = (("event", text), ("service", service), ("version", version))
        yield Series(RELEASE_EVENT_METRIC, host, labels, rate=start + offset)
