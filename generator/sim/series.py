"""Turns the model's sidecars into the series Envoy would expose, with per-second rates.

A :class:`Series` is one counter (its per-second ``rate``), one gauge (its
constant ``value`` in ``rate``) or one histogram (its latency ``mixture``).
Counter values at time ``t`` are ``rate * (t - start)``: linear and exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass, replace

from generator.flavors import CONSUL, Flavor, as_flavor
from generator.metrics_catalogue import METRIC_TYPES
from generator.sim.distribution import Mixture, Piece
from generator.sim.model import Cluster, RetryStats, Sidecar, Traffic

Labels = tuple[tuple[str, str], ...]

#: The scrape job name, in the live Prometheus config and in the backfill alike.
JOB = "envoy-sidecars"
NAMESPACE = "default"
DATACENTER = "dc1"
#: The Consul CA's trust domain (a cluster id) in every upstream's SNI and stat tags.
TRUST_DOMAIN = "7c3e5a14-92d8-4b6f-a0e1-5f4d2c8b9a63"
#: The stat prefix of Consul's upstream listeners once its tags are extracted.
UPSTREAM_PREFIX = "upstream"
#: The local port of a sidecar's first upstream listener (Consul's ``local_bind_port``).
UPSTREAM_PORT = 9091
#: Requests one connection carries before it is replaced, so connections open as requests flow.
REQUESTS_PER_CONNECTION = 64
#: Bytes of one request and of one response body on the wire (every attempt sends a request).
REQUEST_BYTES = 512
RESPONSE_BYTES = 2048
#: Envoy's default circuit breaker thresholds (cluster.proto), the same for both priorities.
BREAKER_THRESHOLDS = {"cx": 1024, "pending": 1024, "rq": 1024, "retries": 3}
BREAKER_PRIORITIES = ("default", "high")
#: Each ``*_open`` gauge and the threshold that trips it (connection pools have no default limit).
BREAKER_FLAGS: dict[str, str | None] = {
    "cx_open": "cx",
    "cx_pool_open": None,
    "rq_open": "rq",
    "rq_pending_open": "pending",
    "rq_retry_open": "retries",
}


@dataclass(frozen=True)
class Series:
    """One exposed series of one sidecar, before scrape labels are added."""

    family: str
    sidecar: str
    labels: Labels
    rate: float = 0.0
    mixture: Mixture | None = None

    @property
    def kind(self) -> str:
        return METRIC_TYPES[self.family]

    def label(self, name: str) -> str | None:
        return dict(self.labels).get(name)


def scrape_labels(sidecar: Sidecar) -> dict[str, str]:
    """The labels Prometheus adds to a sidecar's series (``instance`` as a pod address)."""
    return {
        "job": JOB,
        "instance": f"{sidecar.pod}:20200",
        "namespace": NAMESPACE,
        "pod": sidecar.pod,
    }


def mesh_series(sidecars: tuple[Sidecar, ...], flavor: Flavor | str | None = None) -> list[Series]:
    """Every series of every sidecar, in a stable order, as mesh `flavor` names them.

    Without a flavor, the current one (`--flavor`): `meshdash validate --sandbox --flavor
    istio` then simulates Istio. Istio's standard metrics replace the Consul-tagged Envoy
    stats (Istio exposes few Envoy stats unless proxyStatsMatcher asks for them).
    """
    chosen = as_flavor(flavor)
    if chosen.name == "istio":
        from generator.sim.istio import istio_series

        return istio_series(sidecars)
    if chosen.name == "envoy":
        return [s for sidecar in sidecars for s in _plain_envoy_series(sidecar, chosen)]
    return [s for sidecar in sidecars for s in _sidecar_series(sidecar)]


def _plain_envoy_series(sidecar: Sidecar, flavor: Flavor) -> Iterator[Series]:
    """Plain Envoy: Envoy's own tags, the service from one scrape label, no Consul tags.

    A service's subset clusters are one cluster named after the service (Envoy's subset
    load balancer); the cluster to the proxy's own app is `flavor.local_app_cluster`.
    The sidecars' outbound listeners are left out (their stat prefixes are the
    operator's choice; no shipped panel reads them).
    """
    base = sidecar_labels(sidecar, flavor)
    if not sidecar.gateway:
        sidecar = replace(sidecar, listener_prefix=flavor.inbound_prefix)
    yield from _listener_series(sidecar, base)
    for cluster in _one_cluster_per_service(sidecar.clusters):
        yield from _cluster_series(
            sidecar.name, cluster, {**base, **cluster_labels(cluster, flavor)}
        )


def _one_cluster_per_service(clusters: tuple[Cluster, ...]) -> list[Cluster]:
    by_service: dict[str | None, list[Cluster]] = {}
    for cluster in clusters:
        by_service.setdefault(cluster.destination, []).append(cluster)
    return [
        group[0] if len(group) == 1 or service is None else _merged_cluster(service, group)
        for service, group in by_service.items()
    ]


def _merged_cluster(service: str, group: list[Cluster]) -> Cluster:
    retries = [c.retry for c in group]
    retried: dict[int, float] = {}
    for stats in retries:
        for code, rate in stats.retried_codes.items():
            retried[code] = retried.get(code, 0.0) + rate
    merged = RetryStats(
        attempts=sum(r.attempts for r in retries),
        retries=sum(r.retries for r in retries),
        retried_codes=retried,
        retry_success=sum(r.retry_success for r in retries),
        retry_limit_exceeded=sum(r.retry_limit_exceeded for r in retries),
        retries_in_flight=sum(r.retries_in_flight for r in retries),
    )
    traffic = _merged([c.traffic for c in group])
    endpoints = sum(c.endpoints for c in group)
    grpc = group[0].grpc_method
    return Cluster(service, service, None, traffic, merged, endpoints, grpc, pools=tuple(group))


def sidecar_labels(sidecar: Sidecar, flavor: Flavor) -> dict[str, str]:
    """The labels on every stat of a sidecar: Consul's fixed tags, or plain Envoy's scrape label."""
    if flavor.name == "envoy":
        return {flavor.proxy_label: sidecar.service}
    return {
        "local_cluster": sidecar.service,
        "consul_source_service": sidecar.service,
        "consul_source_namespace": NAMESPACE,
        "consul_source_partition": "default",
        "consul_source_datacenter": DATACENTER,
    }


def cluster_labels(cluster: Cluster, flavor: Flavor) -> dict[str, str]:
    """A cluster's own labels: Envoy's cluster name, and Consul's destination tags."""
    if flavor.name == "envoy":
        return {"envoy_cluster_name": cluster.destination or flavor.local_app_cluster}
    return _cluster_labels(cluster)


def _sidecar_series(sidecar: Sidecar) -> Iterator[Series]:
    base = sidecar_labels(sidecar, CONSUL)
    yield from _listener_series(sidecar, base)
    yield from _outbound_series(sidecar, base)
    for cluster in sidecar.clusters:
        yield from _cluster_series(sidecar.name, cluster, {**base, **_cluster_labels(cluster)})


def make_series(family: str, sidecar: str, labels: dict[str, str], **kw: object) -> Series:
    return Series(family, sidecar, tuple(sorted(labels.items())), **kw)  # type: ignore[arg-type]


def _listener_series(sidecar: Sidecar, base: dict[str, str]) -> Iterator[Series]:
    hcm = {**base, "envoy_http_conn_manager_prefix": sidecar.listener_prefix}
    address = sidecar.listener_address
    yield from _http_listener_series(sidecar.name, hcm, address, sidecar.inbound, per_listener=True)


def _outbound_series(sidecar: Sidecar, base: dict[str, str]) -> Iterator[Series]:
    """Consul's upstream listeners (stat prefix ``upstream``): the app's calls, one per service.

    Their connection manager stats carry ``consul_upstream_*`` tags; Consul's own
    UI reads them with ``envoy_http_conn_manager_prefix="upstream"``.
    """
    if sidecar.gateway:
        return
    by_service: dict[str, list[Cluster]] = {}
    for cluster in sidecar.clusters:
        if cluster.destination is not None:
            by_service.setdefault(cluster.destination, []).append(cluster)
    for port, (service, clusters) in enumerate(sorted(by_service.items()), UPSTREAM_PORT):
        hcm = {
            **base,
            "envoy_http_conn_manager_prefix": UPSTREAM_PREFIX,
            "consul_upstream_service": service,
            "consul_upstream_namespace": NAMESPACE,
            "consul_upstream_partition": "default",
            "consul_upstream_datacenter": DATACENTER,
        }
        traffic = _merged([cluster.traffic for cluster in clusters])
        yield from _http_listener_series(sidecar.name, hcm, f"127.0.0.1_{port}", traffic)


def _merged(traffics: list[Traffic]) -> Traffic:
    """Several clusters' traffic as one (a service's subsets, seen by its caller's app)."""
    codes: dict[int, float] = {}
    for traffic in traffics:
        for code, rate in traffic.codes.items():
            codes[code] = codes.get(code, 0.0) + rate
    return Traffic(codes, Mixture.of(p for traffic in traffics for p in traffic.latency.pieces))


def _http_listener_series(
    name: str, hcm: dict[str, str], address: str, traffic: Traffic, per_listener: bool = False
) -> Iterator[Series]:
    """A listener's connection manager stats (``hcm`` labels) and its connection stats.

    ``per_listener``: also ``envoy_listener_http_downstream_rq_xx`` (the public listener's).
    """
    prefix = hcm["envoy_http_conn_manager_prefix"]
    listener = {k: v for k, v in hcm.items() if not k.startswith(("consul_upstream_", "envoy_"))}
    listener["envoy_listener_address"] = address
    yield make_series("envoy_http_downstream_rq_total", name, hcm, rate=traffic.rate)
    for code_class, rate in _by_class(traffic.codes).items():
        labels = {"envoy_response_code_class": code_class}
        yield make_series("envoy_http_downstream_rq_xx", name, {**hcm, **labels}, rate=rate)
        if per_listener:
            labels["envoy_http_conn_manager_prefix"] = prefix
            family = "envoy_listener_http_downstream_rq_xx"
            yield make_series(family, name, {**listener, **labels}, rate=rate)
    yield make_series("envoy_http_downstream_rq_time", name, hcm, mixture=traffic.latency)
    connections = float(_in_flight_connections(traffic))
    yield make_series("envoy_http_downstream_cx_active", name, hcm, rate=connections)
    yield make_series("envoy_listener_downstream_cx_active", name, listener, rate=connections)
    # Steady state: as many connections close as open; callers open them (see _counters).
    opened = traffic.rate / REQUESTS_PER_CONNECTION
    yield make_series("envoy_listener_downstream_cx_total", name, listener, rate=opened)
    yield make_series("envoy_listener_downstream_cx_destroy", name, listener, rate=opened)


def _cluster_labels(cluster: Cluster) -> dict[str, str]:
    labels = {"envoy_cluster_name": cluster.name}
    if cluster.destination is None:
        return labels
    target = ".".join(p for p in (cluster.subset, cluster.destination, NAMESPACE, DATACENTER) if p)
    tags = {
        "service": cluster.destination,
        "namespace": NAMESPACE,
        "datacenter": DATACENTER,
        "routing_type": "internal",
        "trust_domain": TRUST_DOMAIN,
        "target": target,
        "full_target": f"{target}.internal.{TRUST_DOMAIN}",
    }
    if cluster.subset:
        tags["service_subset"] = cluster.subset
    labels["consul_destination_partition"] = "default"
    for tag, value in tags.items():
        labels[f"consul_destination_{tag}"] = value
        labels[f"consul_{tag}"] = value  # the deprecated twin Consul still emits by default
    return labels


def _cluster_series(sidecar: str, cluster: Cluster, labels: dict[str, str]) -> Iterator[Series]:
    retry, traffic = cluster.retry, cluster.traffic
    yield make_series("envoy_cluster_upstream_rq_total", sidecar, labels, rate=retry.attempts)
    for prefix in ("", "external_"):
        yield from _response_series(f"envoy_cluster_{prefix}upstream_rq", sidecar, labels, traffic)
        family = f"envoy_cluster_{prefix}upstream_rq_time"
        yield make_series(family, sidecar, labels, mixture=traffic.latency)
    # Envoy creates per-code stats at the first such response: no retry, no retry.* series.
    if retry.retried_codes:
        retried = Traffic(retry.retried_codes, Mixture(()))
        yield from _response_series("envoy_cluster_retry_upstream_rq", sidecar, labels, retried)
    for name, rate in {**_counters(cluster), **_gauges(cluster)}.items():
        yield make_series(f"envoy_cluster_{name}", sidecar, labels, rate=rate)
    family = "envoy_cluster_upstream_cx_length_ms"
    yield make_series(family, sidecar, labels, mixture=_cluster_lengths(cluster))
    yield from _grpc_series(sidecar, cluster, labels)


def _response_series(
    family: str, sidecar: str, labels: dict[str, str], traffic: Traffic
) -> Iterator[Series]:
    """``family`` by code, ``family_xx`` by class, ``family_completed`` in total."""
    for code, rate in sorted(traffic.codes.items()):
        yield make_series(family, sidecar, {**labels, "envoy_response_code": str(code)}, rate=rate)
    for code_class, rate in _by_class(traffic.codes).items():
        code_labels = {**labels, "envoy_response_code_class": code_class}
        yield make_series(f"{family}_xx", sidecar, code_labels, rate=rate)
    yield make_series(f"{family}_completed", sidecar, labels, rate=traffic.rate)


def _counters(cluster: Cluster) -> dict[str, float]:
    """Per-second rates of the cluster's fixed counters (nothing times out or is refused)."""
    retry = cluster.retry
    return {
        "upstream_rq_retry": retry.retries,
        "upstream_rq_retry_success": retry.retry_success,
        "upstream_rq_retry_limit_exceeded": retry.retry_limit_exceeded,
        "upstream_rq_retry_overflow": 0.0,
        "upstream_rq_timeout": 0.0,
        "upstream_rq_per_try_timeout": 0.0,
        "upstream_rq_pending_overflow": 0.0,
        "upstream_rq_rx_reset": 0.0,
        "upstream_rq_tx_reset": 0.0,
        "upstream_cx_total": retry.attempts / REQUESTS_PER_CONNECTION,
        "upstream_cx_connect_fail": 0.0,
        "upstream_cx_tx_bytes_total": retry.attempts * REQUEST_BYTES,
        "upstream_cx_rx_bytes_total": retry.attempts * RESPONSE_BYTES,
        "outlier_detection_ejections_enforced_total": 0.0,
    }


def _gauges(cluster: Cluster) -> dict[str, float]:
    """The cluster's gauges: Little's law for what is in use, endpoints, circuit breakers."""
    requests = cluster.traffic.latency.sum_rate / 1000
    connections = float(_cluster_connections(cluster))
    values = {
        "upstream_rq_active": requests,
        "upstream_rq_pending_active": 0.0,
        "upstream_cx_active": connections,
        "membership_healthy": float(cluster.endpoints),
        "membership_total": float(cluster.endpoints),
        "outlier_detection_ejections_active": 0.0,
    }
    in_use = {"cx": connections, "pending": 0.0, "rq": requests}
    in_use["retries"] = cluster.retry.retries_in_flight
    for priority in BREAKER_PRIORITIES:
        used = in_use if priority == "default" else dict.fromkeys(in_use, 0.0)
        remaining = {r: max(0.0, limit - used[r]) for r, limit in BREAKER_THRESHOLDS.items()}
        for resource, left in remaining.items():
            values[f"circuit_breakers_{priority}_remaining_{resource}"] = left
        for flag, resource in BREAKER_FLAGS.items():
            tripped = resource is not None and remaining[resource] == 0
            values[f"circuit_breakers_{priority}_{flag}"] = float(tripped)
    return values


def _grpc_series(sidecar: str, cluster: Cluster, labels: dict[str, str]) -> Iterator[Series]:
    """The gRPC stats filter's counters, flattened and in Envoy's tag-extracted form."""
    if not cluster.grpc_method:
        return
    service, method = cluster.grpc_method.split(".")
    ok, total = cluster.traffic.codes.get(200, 0.0), cluster.traffic.rate
    tagged = {**labels, "envoy_grpc_bridge_service": service, "envoy_grpc_bridge_method": method}
    for status, rate in {"success": ok, "failure": total - ok, "total": total, "0": ok}.items():
        yield make_series(
            f"envoy_cluster_grpc_{service}_{method}_{status}", sidecar, labels, rate=rate
        )
        yield make_series(f"envoy_cluster_grpc_{status}", sidecar, tagged, rate=rate)


def _cluster_connections(cluster: Cluster) -> int:
    """Open connections of a cluster: one pool, or the sum of its merged clusters' pools."""
    if cluster.pools:
        return sum(_cluster_connections(pool) for pool in cluster.pools)
    return _in_flight_connections(cluster.traffic)


def _cluster_lengths(cluster: Cluster) -> Mixture:
    if cluster.pools:
        return Mixture.of(p for pool in cluster.pools for p in _cluster_lengths(pool).pieces)
    return connection_lengths(cluster.retry.attempts / REQUESTS_PER_CONNECTION, cluster.traffic)


def connection_lengths(opened: float, traffic: Traffic) -> Mixture:
    """How long connections stay open (ms): Little's law, open connections = opened x length.

    Lengths spread uniformly from half to one and a half times their mean.
    """
    if opened <= 0:
        return Mixture(())
    mean_ms = 1000 * _in_flight_connections(traffic) / opened
    return Mixture.of([Piece(opened, mean_ms / 2, mean_ms * 3 / 2)])


def _in_flight_connections(traffic: Traffic) -> int:
    """Little's law: requests in flight, at least one kept-alive connection."""
    return max(1, math.ceil(traffic.latency.sum_rate / 1000))


def _by_class(codes: dict[int, float]) -> dict[str, float]:
    classes: dict[str, float] = {}
    for code, rate in sorted(codes.items()):
        key = str(code // 100)
        classes[key] = classes.get(key, 0.0) + rate
    return classes
