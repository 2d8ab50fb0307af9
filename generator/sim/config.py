"""The simulator's knobs: one frozen dataclass, validated on creation.

Defaults are chosen so that the main per-second rates are dyadic fractions
(16 rps in, a 50/50 split, a 25% error rate): counters are then exact floats.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from generator.errors import ConfigError
from generator.sim.incidents import Incidents


@dataclass(frozen=True)
class Latency:
    """A uniform latency distribution, in milliseconds, ``[lo_ms, hi_ms]``."""

    lo_ms: float
    hi_ms: float

    def __post_init__(self) -> None:
        if not (math.isfinite(self.lo_ms) and math.isfinite(self.hi_ms)):
            raise ConfigError(f"latency bounds must be finite, got {self.lo_ms}..{self.hi_ms} ms")
        if not 0 <= self.lo_ms < self.hi_ms:
            raise ConfigError(
                f"latency needs 0 <= lo < hi, got {self.lo_ms}..{self.hi_ms} ms; widen the range"
            )


@dataclass(frozen=True)
class MeshConfig:
    """Traffic, failure, retry and latency settings of the demo mesh.

    ``drop_families`` and ``rename_labels`` damage what is *emitted* (not the
    ground truth), for negative tests: a dashboard that needs a dropped family
    or a renamed label must then fail validation.
    """

    ingress_rps: float = 16.0
    payments_v1_weight: float = 50.0
    payments_v2_weight: float = 50.0
    use_subsets: bool = True
    v2_error_rate: float = 0.25
    v2_error_code: int = 503
    upstream_failure_code: int = 500
    num_retries: int = 2
    retry_backoff_ms: float = 25.0
    ingress_latency: Latency = Latency(0.5, 1.5)
    api_latency: Latency = Latency(5.0, 15.0)
    payments_v1_latency: Latency = Latency(20.0, 60.0)
    payments_v2_latency: Latency = Latency(30.0, 90.0)
    payments_v2_error_latency: Latency = Latency(1.0, 5.0)
    currency_latency: Latency = Latency(2.0, 8.0)
    drop_families: frozenset[str] = field(default_factory=frozenset)
    rename_labels: tuple[tuple[str, str], ...] = ()
    #: the security and resilience story's faults (generator.sim.story); None: none happen
    incidents: Incidents | None = None
    #: add `ledger`, a TCP service (a database) that both payments versions call
    tcp_service: bool = False

    def __post_init__(self) -> None:
        _check_finite_positive("ingress_rps", self.ingress_rps)
        for name in ("payments_v1_weight", "payments_v2_weight"):
            value = getattr(self, name)
            if not (math.isfinite(value) and value >= 0):
                raise ConfigError(f"{name} must be a finite number >= 0, got {value}")
        if self.payments_v1_weight + self.payments_v2_weight <= 0:
            raise ConfigError("payments_v1_weight + payments_v2_weight must be > 0")
        if not 0 <= self.v2_error_rate <= 1:
            raise ConfigError(f"v2_error_rate must be within 0..1, got {self.v2_error_rate}")
        for name in ("v2_error_code", "upstream_failure_code"):
            code = getattr(self, name)
            if not (isinstance(code, int) and 400 <= code <= 599):
                raise ConfigError(f"{name} must be an HTTP error code 400..599, got {code!r}")
        if not (isinstance(self.num_retries, int) and 0 <= self.num_retries <= 10):
            raise ConfigError(f"num_retries must be an integer 0..10, got {self.num_retries!r}")
        if not (math.isfinite(self.retry_backoff_ms) and self.retry_backoff_ms >= 0):
            raise ConfigError(f"retry_backoff_ms must be >= 0, got {self.retry_backoff_ms}")
        for old, new in self.rename_labels:
            if not (old and new):
                raise ConfigError(f"rename_labels needs non-empty names, got {old!r} -> {new!r}")

    @property
    def v2_share(self) -> float:
        """The fraction of payments traffic the split sends to v2."""
        total = self.payments_v1_weight + self.payments_v2_weight
        return self.payments_v2_weight / total


def _check_finite_positive(name: str, value: float) -> None:
    if not (math.isfinite(value) and value > 0):
        raise ConfigError(f"{name} must be a finite number > 0, got {value}")
