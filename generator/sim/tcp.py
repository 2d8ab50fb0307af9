"""A TCP service in the demo mesh: `ledger`, a database both payments versions call.

On with ``MeshConfig(tcp_service=True)``. Every successful payments attempt writes to
the ledger; one connection carries ``WRITES_PER_CONNECTION`` writes and stays open
``LEDGER_CONNECTION`` ms; ``FAILED_SHARE`` of the connections fail to connect (counted
in the opened ones, closed at once, no bytes). A TCP proxy has no requests, so the ledger has connection
and byte stats only: the callers' cluster stats (``upstream_cx_*``), its own TCP
proxy's (``envoy_tcp_downstream_cx_*``, tag ``envoy_tcp_prefix``) and listener's;
under Istio, ``istio_tcp_*`` from both reporters (see :mod:`generator.sim.istio`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator.flavors import Flavor, as_flavor
from generator.sim.config import Latency
from generator.sim.distribution import Mixture, Piece
from generator.sim.model import Cluster, RetryStats, Sidecar, Traffic
from generator.sim.series import Series, cluster_labels, make_series, sidecar_labels

LEDGER = "ledger"
WRITES_PER_CONNECTION = 8
LEDGER_CONNECTION = Latency(40.0, 120.0)
#: bytes per connection: the caller's writes, the ledger's answers
SENT_PER_CONNECTION = 4096
RECEIVED_PER_CONNECTION = 1024
FAILED_SHARE = 1 / 32
_NO_HTTP = Traffic({}, Mixture(()))


@dataclass(frozen=True)
class TcpCall:
    """Connections from one caller sidecar to a TCP service, per second."""

    caller: Sidecar
    callee: Sidecar
    opened: float

    @property
    def failed(self) -> float:
        """Connections per second that failed to connect (Envoy's connect failures, UF)."""
        return self.opened * FAILED_SHARE

    @property
    def lengths(self) -> Mixture:
        """Lengths in ms of the connections that connected (as many close as open)."""
        established = self.opened - self.failed
        return Mixture.of([Piece(established, LEDGER_CONNECTION.lo_ms, LEDGER_CONNECTION.hi_ms)])

    @property
    def active(self) -> float:
        """Open connections: Little's law over the lengths."""
        return self.lengths.sum_rate / 1000

    @property
    def sent(self) -> float:
        """Bytes per second from the caller to the TCP service."""
        return (self.opened - self.failed) * SENT_PER_CONNECTION

    @property
    def received(self) -> float:
        """Bytes per second from the TCP service back to the caller."""
        return (self.opened - self.failed) * RECEIVED_PER_CONNECTION


def ledger_sidecar() -> Sidecar:
    """The ledger's sidecar: an inbound TCP proxy and no HTTP traffic."""
    return Sidecar(LEDGER, LEDGER, "public_listener", "0.0.0.0_20000", _NO_HTTP, ())


def tcp_calls(sidecars: tuple[Sidecar, ...], ledger: Sidecar) -> list[TcpCall]:
    """Each payments version's connections to the ledger (one per successful attempts batch)."""
    return [
        TcpCall(s, ledger, s.inbound.codes.get(200, 0.0) / WRITES_PER_CONNECTION)
        for s in sidecars
        if s.service == "payments"
    ]


def emitted_tcp_series(calls: list[TcpCall], flavor: Flavor | None = None) -> Iterator[Series]:
    """The TCP calls' series as the current (or given) mesh flavor names them."""
    chosen = as_flavor(flavor)
    if chosen.name == "istio":
        from generator.sim.istio import istio_tcp_series

        yield from istio_tcp_series(calls)
    else:
        yield from tcp_series(calls, chosen)


def tcp_series(calls: list[TcpCall], flavor: Flavor) -> Iterator[Series]:
    """Envoy's stats of the TCP calls, with Consul's tags or plain Envoy's labels."""
    for call in calls:
        cluster = Cluster(LEDGER, LEDGER, None, _NO_HTTP, RetryStats(0.0))
        labels = {**sidecar_labels(call.caller, flavor), **cluster_labels(cluster, flavor)}
        counters = {
            "upstream_cx_total": call.opened,
            "upstream_cx_connect_fail": call.failed,
            "upstream_cx_tx_bytes_total": call.sent,
            "upstream_cx_rx_bytes_total": call.received,
        }
        gauges = {"upstream_cx_active": call.active, "membership_healthy": 1.0}
        for name, rate in {**counters, **gauges, "membership_total": 1.0}.items():
            yield make_series(f"envoy_cluster_{name}", call.caller.name, labels, rate=rate)
        family = "envoy_cluster_upstream_cx_length_ms"
        yield make_series(family, call.caller.name, labels, mixture=call.lengths)
    yield from _proxy_series(calls, flavor)


def _proxy_series(calls: list[TcpCall], flavor: Flavor) -> Iterator[Series]:
    """The TCP service's own listener and TCP proxy stats, over every caller."""
    if not calls:
        return
    callee = calls[0].callee
    base = sidecar_labels(callee, flavor)
    listener = {**base, "envoy_listener_address": callee.listener_address}
    prefix = flavor.inbound_prefix if flavor.name == "envoy" else callee.listener_prefix
    proxy = {**base, "envoy_tcp_prefix": prefix}
    opened = sum(c.opened for c in calls)
    rates = {
        ("envoy_listener_downstream_cx_total", "l"): opened,
        ("envoy_listener_downstream_cx_destroy", "l"): opened,
        ("envoy_listener_downstream_cx_active", "l"): sum(c.active for c in calls),
        ("envoy_tcp_downstream_cx_total", "p"): opened,
        ("envoy_tcp_downstream_cx_rx_bytes_total", "p"): sum(c.sent for c in calls),
        ("envoy_tcp_downstream_cx_tx_bytes_total", "p"): sum(c.received for c in calls),
    }
    for (family, where), rate in rates.items():
        labels = listener if where == "l" else proxy
        yield make_series(family, callee.name, labels, rate=rate)
