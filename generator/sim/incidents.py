"""The faults of the demo's security and resilience story (see :mod:`generator.sim.story`).

Apart from the story itself so that :class:`generator.sim.config.MeshConfig` can
hold an :class:`Incidents` without importing the model.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Envoy's per-upstream failure counters and their rates (per second) on the faulty cluster.
CLUSTER_FAULTS: tuple[tuple[str, float], ...] = (
    ("upstream_cx_connect_fail", 1 / 16),
    ("upstream_cx_connect_timeout", 1 / 32),
    ("upstream_cx_none_healthy", 1 / 64),
    ("upstream_cx_overflow", 1 / 128),
    ("upstream_rq_timeout", 3 / 64),
    ("upstream_rq_per_try_timeout", 5 / 64),
    ("upstream_rq_rx_reset", 1 / 8),
    ("upstream_rq_tx_reset", 3 / 32),
    ("upstream_rq_pending_overflow", 7 / 64),
    ("upstream_cx_destroy_remote_with_active_rq", 3 / 128),
    ("upstream_rq_retry_overflow", 1 / 4),
    ("outlier_detection_ejections_enforced_total", 1 / 256),
)


@dataclass(frozen=True)
class Incidents:
    """Rates (per second) and values of the story's faults; see the module docstring."""

    l7_denied_rps: float = 0.25
    grpc_denied_rps: float = 0.125
    shadow_denied_rps: float = 1.0
    tls_failures_cps: float = 0.0625
    expiring_cert_days: float = 0.0
    #: connections an L4 intention denies on each tcp service's public listener (connect_authz)
    l4_denied_cps: float = 0.125
    #: Istio only: requests reaching currency in plaintext, which PERMISSIVE mode accepts
    plaintext_rps: float = 0.0625
    cluster_faults: tuple[tuple[str, float], ...] = CLUSTER_FAULTS
