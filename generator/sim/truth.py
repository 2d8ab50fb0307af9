"""Ground truth: what a correct PromQL query over the simulator must return.

Generic look-ups (:meth:`Truth.rate`, :meth:`Truth.value`, :meth:`Truth.quantile`)
take a family and exact label matches (``None`` matches anything); the named
helpers cover the dashboards' key queries. Rates are per second, latencies ms.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

from generator.sim.distribution import Mixture, Piece
from generator.sim.series import UPSTREAM_PREFIX, Series

PUBLIC_LISTENER = "public_listener"
LOOPBACK = "127.0.0.1_"


class Truth:
    """Per-second rates, gauge values and latency quantiles of one simulated mesh."""

    def __init__(self, series: list[Series]) -> None:
        self._series = series

    def select(self, family: str, **labels: str | None) -> Iterator[Series]:
        """The series of ``family`` whose labels equal every non-``None`` value given."""
        wanted = {k: v for k, v in labels.items() if v is not None}
        for s in self._series:
            if s.family == family and all(s.label(k) == v for k, v in wanted.items()):
                yield s

    def rate(self, family: str, **labels: str | None) -> float:
        """``sum(rate(family{labels}[..]))`` for a counter family."""
        return sum(s.rate for s in self.select(family, **labels))

    def value(self, family: str, **labels: str | None) -> float:
        """``sum(family{labels})`` for a gauge family."""
        return self.rate(family, **labels)

    def histogram(self, family: str, **labels: str | None) -> Mixture:
        """The merged latency distribution of the matching histogram series."""
        pieces: list[Piece] = []
        for s in self.select(family, **labels):
            if s.mixture is not None:
                pieces.extend(s.mixture.pieces)
        return Mixture.of(pieces)

    def quantile(self, family: str, q: float, **labels: str | None) -> float:
        """``histogram_quantile(q, sum by (le) (rate(family_bucket{labels}[..])))``."""
        return self.histogram(family, **labels).histogram_quantile(q)

    def exact_quantile(self, family: str, q: float, **labels: str | None) -> float:
        """The configured distribution's own ``q`` quantile (no bucket interpolation)."""
        return self.histogram(family, **labels).quantile(q)

    def downstream_rate(
        self, service: str, code_class: str | None = None, prefix: str = PUBLIC_LISTENER
    ) -> float:
        """Responses a service's sidecars send on ``prefix`` (all classes when ``None``)."""
        return self.rate(
            "envoy_listener_http_downstream_rq_xx",
            local_cluster=service,
            envoy_http_conn_manager_prefix=prefix,
            envoy_response_code_class=code_class,
        )

    def upstream_rate(
        self,
        source: str,
        destination: str,
        code: str | int | None = None,
        code_class: str | None = None,
        cluster: str | None = None,
    ) -> float:
        """Final responses from ``destination`` to ``source`` (``envoy_cluster_upstream_rq``)."""
        return self._response_rate(
            "envoy_cluster_upstream_rq", source, destination, code, code_class,
            envoy_cluster_name=cluster,
        )  # fmt: skip

    def upstream(self, family: str, source: str, destination: str, **labels: str | None) -> float:
        """``sum(family{source, destination, labels})``: a cluster family's rate or value."""
        return self.rate(
            family, consul_source_service=source, consul_destination_service=destination, **labels
        )

    def attempt_rate(self, source: str, destination: str) -> float:
        """Every attempt, retries included (``envoy_cluster_upstream_rq_total``)."""
        return self.upstream("envoy_cluster_upstream_rq_total", source, destination)

    def completed_rate(self, source: str, destination: str) -> float:
        """Final responses (``envoy_cluster_upstream_rq_completed``): attempts minus retries."""
        return self.upstream("envoy_cluster_upstream_rq_completed", source, destination)

    def connection_rate(self, source: str, destination: str) -> float:
        """Upstream connections opened per second (``envoy_cluster_upstream_cx_total``)."""
        return self.upstream("envoy_cluster_upstream_cx_total", source, destination)

    def active_connections(self, source: str, destination: str) -> float:
        """Open upstream connections (``envoy_cluster_upstream_cx_active``)."""
        return self.upstream("envoy_cluster_upstream_cx_active", source, destination)

    def active_requests(self, source: str, destination: str) -> float:
        """Requests in flight, Little's law (``envoy_cluster_upstream_rq_active``)."""
        return self.upstream("envoy_cluster_upstream_rq_active", source, destination)

    def endpoints(self, source: str, destination: str, *, healthy: bool = False) -> float:
        """``envoy_cluster_membership_total`` (or ``_healthy``) from source to destination."""
        family = "membership_healthy" if healthy else "membership_total"
        return self.upstream(f"envoy_cluster_{family}", source, destination)

    def breaker_remaining(
        self, source: str, destination: str, resource: str, priority: str = "default"
    ) -> float:
        """``envoy_cluster_circuit_breakers_<priority>_remaining_<resource>`` (cx, rq, ...)."""
        family = f"envoy_cluster_circuit_breakers_{priority}_remaining_{resource}"
        return self.upstream(family, source, destination)

    def grpc_rate(self, source: str, destination: str, status: str = "total") -> float:
        """gRPC calls by stats-filter status (``envoy_cluster_grpc_<status>``, tag-extracted)."""
        return self.upstream(f"envoy_cluster_grpc_{status}", source, destination)

    def listener_connection_rate(self, service: str, *, outbound: bool = False) -> float:
        """Connections per second a service's sidecars accept from other services (the default)
        or, ``outbound``, from their own app on loopback (``envoy_listener_downstream_cx_total``).
        """
        return sum(
            s.rate
            for s in self.select("envoy_listener_downstream_cx_total", local_cluster=service)
            if (s.label("envoy_listener_address") or "").startswith(LOOPBACK) == outbound
        )

    def outbound_rate(self, service: str, upstream: str, code_class: str | None = None) -> float:
        """Calls ``service``'s app sends to ``upstream`` through its sidecar's upstream listener."""
        labels = _outbound(service, upstream)
        return self.rate(
            "envoy_http_downstream_rq_xx", envoy_response_code_class=code_class, **labels
        )

    def outbound_quantile(self, service: str, upstream: str, q: float) -> float:
        """What ``histogram_quantile`` gives over the upstream listener's request time."""
        return self.quantile("envoy_http_downstream_rq_time", q, **_outbound(service, upstream))

    def retry_rate(
        self,
        source: str,
        destination: str,
        code: str | int | None = None,
        code_class: str | None = None,
    ) -> float:
        """Responses that triggered a retry (``envoy_cluster_retry_upstream_rq[_xx]``)."""
        return self._response_rate(
            "envoy_cluster_retry_upstream_rq", source, destination, code, code_class
        )

    def _response_rate(
        self,
        family: str,
        source: str,
        destination: str,
        code: str | int | None,
        code_class: str | None,
        **labels: str | None,
    ) -> float:
        """``family`` by code, or its ``_xx`` twin by class, from ``source`` to ``destination``."""
        return self.rate(
            f"{family}_xx" if code_class else family,
            consul_source_service=source,
            consul_destination_service=destination,
            envoy_response_code=None if code is None else str(code),
            envoy_response_code_class=code_class,
            **labels,
        )

    def retries(self, source: str, destination: str) -> float:
        """Retries sent (``envoy_cluster_upstream_rq_retry``)."""
        return self.upstream("envoy_cluster_upstream_rq_retry", source, destination)

    def upstream_quantile(self, source: str, destination: str, q: float) -> float:
        """What ``histogram_quantile`` gives over ``envoy_cluster_upstream_rq_time``."""
        return self.quantile(
            "envoy_cluster_upstream_rq_time",
            q,
            consul_source_service=source,
            consul_destination_service=destination,
        )

    def upstream_exact_quantile(self, source: str, destination: str, q: float) -> float:
        """The true ``q`` quantile of source -> destination request time."""
        return self.exact_quantile(
            "envoy_cluster_upstream_rq_time",
            q,
            consul_source_service=source,
            consul_destination_service=destination,
        )

    def inbound_quantile(self, service: str, q: float, prefix: str = PUBLIC_LISTENER) -> float:
        """What ``histogram_quantile`` gives over ``envoy_http_downstream_rq_time``."""
        return self.quantile(
            "envoy_http_downstream_rq_time",
            q,
            local_cluster=service,
            envoy_http_conn_manager_prefix=prefix,
        )

    def services(self) -> list[str]:
        """``local_cluster`` values, sorted."""
        return sorted({s.label("local_cluster") or "" for s in self._series} - {""})


def _outbound(service: str, upstream: str) -> dict[str, str | None]:
    """The labels of ``service``'s upstream listener towards ``upstream``."""
    return {
        "local_cluster": service,
        "envoy_http_conn_manager_prefix": UPSTREAM_PREFIX,
        "consul_upstream_service": upstream,
    }


def is_close(got: float, want: float, rel: float = 1e-6, abs_tol: float = 1e-9) -> bool:
    """Comparison helper with the tolerances tests state explicitly."""
    return math.isclose(got, want, rel_tol=rel, abs_tol=abs_tol)
