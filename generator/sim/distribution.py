"""Latency distributions as exact mixtures of uniform pieces, and Prometheus' quantile.

Latencies inside one request are modelled as *comonotonic*: a request that is
slow at one hop is equally slow (same percentile) at every hop and attempt.
Sums of comonotonic uniforms are uniform (bounds add), so every latency in the
mesh is an exact mixture of uniform pieces, weighted by request rate.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

#: Envoy's default histogram bucket bounds (ms), ``+Inf`` excluded.
ENVOY_BUCKETS_MS: tuple[float, ...] = (
    0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
    30000, 60000, 300000, 600000, 1800000, 3600000,
)  # fmt: skip


@dataclass(frozen=True)
class Piece:
    """``rate`` observations per second spread uniformly over ``[lo, hi]`` ms."""

    rate: float
    lo: float
    hi: float

    def fraction_below(self, x: float) -> float:
        """The share of this piece's observations that are ``<= x``."""
        if x >= self.hi:
            return 1.0
        if x <= self.lo:
            return 0.0
        return (x - self.lo) / (self.hi - self.lo)

    def shifted(self, lo: float, hi: float, rate: float | None = None) -> Piece:
        """This piece with ``lo``/``hi`` added to its bounds (a comonotonic sum)."""
        return Piece(self.rate if rate is None else rate, self.lo + lo, self.hi + hi)


@dataclass(frozen=True)
class Mixture:
    """A latency distribution: uniform pieces weighted by their rates."""

    pieces: tuple[Piece, ...]

    @classmethod
    def of(cls, pieces: Iterable[Piece]) -> Mixture:
        return cls(tuple(p for p in pieces if p.rate > 0))

    @property
    def rate(self) -> float:
        """Observations per second (the ``_count`` rate)."""
        return sum(p.rate for p in self.pieces)

    @property
    def sum_rate(self) -> float:
        """Milliseconds observed per second (the ``_sum`` rate)."""
        return sum(p.rate * (p.lo + p.hi) / 2 for p in self.pieces)

    def count_below(self, x: float) -> float:
        """Observations per second ``<= x`` (a cumulative bucket's rate)."""
        return sum(p.rate * p.fraction_below(x) for p in self.pieces)

    def bucket_rates(self, bounds: Sequence[float] = ENVOY_BUCKETS_MS) -> list[tuple[float, float]]:
        """``(le, rate)`` for every bound and ``+Inf``; ``+Inf`` equals :attr:`rate` exactly."""
        rows = [(le, self.count_below(le)) for le in bounds]
        rows.append((math.inf, self.rate))
        return rows

    def quantile(self, q: float) -> float:
        """The exact ``q`` quantile of the distribution (piecewise-linear inversion)."""
        total = self.rate
        if total <= 0 or not 0 <= q <= 1:
            return math.nan
        target = q * total
        points = sorted({b for p in self.pieces for b in (p.lo, p.hi)})
        previous_x, previous_count = points[0], 0.0
        for x in points[1:]:
            count = self.count_below(x)
            if count >= target:
                if count == previous_count:
                    return previous_x
                return previous_x + (x - previous_x) * (target - previous_count) / (
                    count - previous_count
                )
            previous_x, previous_count = x, count
        return points[-1]

    def histogram_quantile(self, q: float, bounds: Sequence[float] = ENVOY_BUCKETS_MS) -> float:
        """What Prometheus' ``histogram_quantile(q, ...)`` returns for this mixture's buckets."""
        return bucket_quantile(q, self.bucket_rates(bounds))


def bucket_quantile(q: float, buckets: Sequence[tuple[float, float]]) -> float:
    """Prometheus' ``bucketQuantile`` (promql/quantile.go, v2.42) over ``(le, count)`` rows."""
    if math.isnan(q):
        return math.nan
    if q < 0:
        return -math.inf
    if q > 1:
        return math.inf
    rows = sorted(buckets)
    if not rows or not math.isinf(rows[-1][0]):
        return math.nan
    rows = _monotonic(rows)
    if len(rows) < 2 or rows[-1][1] == 0:
        return math.nan
    rank = q * rows[-1][1]
    b = next(i for i, (_, count) in enumerate(rows) if count >= rank)
    if b == len(rows) - 1:
        return rows[-2][0]
    if b == 0 and rows[0][0] <= 0:
        return rows[0][0]
    start, end, count = 0.0, rows[b][0], rows[b][1]
    if b > 0:
        start = rows[b - 1][0]
        count -= rows[b - 1][1]
        rank -= rows[b - 1][1]
    return start + (end - start) * (rank / count)


def _monotonic(rows: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Prometheus' ``ensureMonotonic``: a bucket never counts less than the one below."""
    fixed: list[tuple[float, float]] = []
    highest = -math.inf
    for le, count in rows:
        highest = max(highest, count)
        fixed.append((le, highest))
    return fixed
