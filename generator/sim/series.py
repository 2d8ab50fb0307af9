"""Turns the model's sidecars into the series Envoy would expose, with per-second rates.

A :class:`Series` is one counter (its per-second ``rate``), one gauge (its
constant ``value`` in ``rate``) or one histogram (its latency ``mixture``).
Counter values at time ``t`` are ``rate * (t - start)``: linear and exact.
"""

from __future__ import annotations

import math
from collections.abc import Iterator
from dataclasses import dataclass

from generator.sim.distribution import Mixture
from generator.sim.metrics import METRIC_TYPES
from generator.sim.model import Cluster, Sidecar, Traffic

Labels = tuple[tuple[str, str], ...]

#: The scrape job name, in the live Prometheus config and in the backfill alike.
JOB = "envoy-sidecars"
NAMESPACE = "default"
DATACENTER = "dc1"


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


def mesh_series(sidecars: tuple[Sidecar, ...]) -> list[Series]:
    """Every series of every sidecar, in a stable order."""
    return [s for sidecar in sidecars for s in _sidecar_series(sidecar)]


def _sidecar_series(sidecar: Sidecar) -> Iterator[Series]:
    base = {
        "local_cluster": sidecar.service,
        "consul_source_service": sidecar.service,
        "consul_source_namespace": NAMESPACE,
        "consul_source_partition": "default",
        "consul_source_datacenter": DATACENTER,
    }
    yield from _listener_series(sidecar, base)
    for cluster in sidecar.clusters:
        yield from _cluster_series(sidecar.name, cluster, {**base, **_cluster_labels(cluster)})


def _make(family: str, sidecar: str, labels: dict[str, str], **kw: object) -> Series:
    return Series(family, sidecar, tuple(sorted(labels.items())), **kw)  # type: ignore[arg-type]


def _listener_series(sidecar: Sidecar, base: dict[str, str]) -> Iterator[Series]:
    name, traffic = sidecar.name, sidecar.inbound
    hcm = {**base, "envoy_http_conn_manager_prefix": sidecar.listener_prefix}
    listener = {**hcm, "envoy_listener_address": sidecar.listener_address}
    yield _make("envoy_http_downstream_rq_total", name, hcm, rate=traffic.rate)
    for code_class, rate in _by_class(traffic.codes).items():
        labels = {"envoy_response_code_class": code_class}
        yield _make("envoy_http_downstream_rq_xx", name, {**hcm, **labels}, rate=rate)
        yield _make("envoy_listener_http_downstream_rq_xx", name, {**listener, **labels}, rate=rate)
    yield _make("envoy_http_downstream_rq_time", name, hcm, mixture=traffic.latency)
    connections = float(_in_flight_connections(traffic))
    yield _make("envoy_http_downstream_cx_active", name, hcm, rate=connections)
    address = {**base, "envoy_listener_address": sidecar.listener_address}
    yield _make("envoy_listener_downstream_cx_active", name, address, rate=connections)


def _cluster_labels(cluster: Cluster) -> dict[str, str]:
    labels = {"envoy_cluster_name": cluster.name}
    if cluster.destination is None:
        return labels
    target = ".".join(p for p in (cluster.subset, cluster.destination, NAMESPACE, DATACENTER) if p)
    labels |= {
        "consul_destination_service": cluster.destination,
        "consul_destination_namespace": NAMESPACE,
        "consul_destination_partition": "default",
        "consul_destination_datacenter": DATACENTER,
        "consul_destination_routing_type": "internal",
        "consul_destination_target": target,
    }
    if cluster.subset:
        labels["consul_destination_service_subset"] = cluster.subset
    return labels


def _cluster_series(sidecar: str, cluster: Cluster, labels: dict[str, str]) -> Iterator[Series]:
    retry, traffic = cluster.retry, cluster.traffic
    yield _make("envoy_cluster_upstream_rq_total", sidecar, labels, rate=retry.attempts)
    for prefix in ("", "external_"):
        yield from _response_series(f"envoy_cluster_{prefix}upstream_rq", sidecar, labels, traffic)
        family = f"envoy_cluster_{prefix}upstream_rq_time"
        yield _make(family, sidecar, labels, mixture=traffic.latency)
    if retry.retried_codes:
        retried = Traffic(retry.retried_codes, Mixture(()))
        yield from _response_series("envoy_cluster_retry_upstream_rq", sidecar, labels, retried)
    static = {
        "upstream_rq_retry": retry.retries,
        "upstream_rq_retry_success": retry.retry_success,
        "upstream_rq_retry_limit_exceeded": retry.retry_limit_exceeded,
        "upstream_rq_retry_overflow": 0.0,
        "upstream_rq_timeout": 0.0,
        "upstream_rq_per_try_timeout": 0.0,
        "upstream_rq_pending_overflow": 0.0,
        "upstream_rq_rx_reset": 0.0,
        "upstream_rq_tx_reset": 0.0,
    }
    if cluster.grpc_method:
        method = cluster.grpc_method.replace(".", "_")
        ok = traffic.codes.get(200, 0.0)
        static |= {
            f"grpc_{method}_success": ok,
            f"grpc_{method}_failure": traffic.rate - ok,
            f"grpc_{method}_total": traffic.rate,
        }
    for name, rate in static.items():
        yield _make(f"envoy_cluster_{name}", sidecar, labels, rate=rate)
    yield from _gauges(sidecar, cluster, labels)


def _response_series(
    family: str, sidecar: str, labels: dict[str, str], traffic: Traffic
) -> Iterator[Series]:
    """``family`` by code, ``family_xx`` by class, ``family_completed`` in total."""
    for code, rate in sorted(traffic.codes.items()):
        yield _make(family, sidecar, {**labels, "envoy_response_code": str(code)}, rate=rate)
    for code_class, rate in _by_class(traffic.codes).items():
        code_labels = {**labels, "envoy_response_code_class": code_class}
        yield _make(f"{family}_xx", sidecar, code_labels, rate=rate)
    yield _make(f"{family}_completed", sidecar, labels, rate=traffic.rate)


def _gauges(sidecar: str, cluster: Cluster, labels: dict[str, str]) -> Iterator[Series]:
    in_flight = cluster.traffic.latency.sum_rate / 1000
    values = {
        "upstream_rq_active": in_flight,
        "upstream_rq_pending_active": 0.0,
        "upstream_cx_active": float(_in_flight_connections(cluster.traffic)),
        "membership_healthy": float(cluster.endpoints),
        "membership_total": float(cluster.endpoints),
        "outlier_detection_ejections_active": 0.0,
    }
    for name, value in values.items():
        yield _make(f"envoy_cluster_{name}", sidecar, labels, rate=value)


def _in_flight_connections(traffic: Traffic) -> int:
    """Little's law: requests in flight, at least one kept-alive connection."""
    return max(1, math.ceil(traffic.latency.sum_rate / 1000))


def _by_class(codes: dict[int, float]) -> dict[str, float]:
    classes: dict[str, float] = {}
    for code, rate in sorted(codes.items()):
        key = str(code // 100)
        classes[key] = classes.get(key, 0.0) + rate
    return classes
