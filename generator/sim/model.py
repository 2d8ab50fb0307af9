"""The demo mesh as a deterministic fluid model: who calls whom, how often, how fast.

``ingress-gateway -> api -> payments (v1 | v2) -> currency (gRPC)``. The
ingress receives ``ingress_rps``; api calls payments once per request, split
by weight between the subsets; v2 fails ``v2_error_rate`` of its attempts
with ``v2_error_code`` (fast, without calling currency); every successful
payments attempt calls currency once. A caller whose upstream call fails
answers ``upstream_failure_code`` (fake-service answers 500).

Retries (api -> payments only, ``retry_on: 5xx``, up to ``num_retries``):
a retry stays in the cluster the route picked (a subset's cluster when
``use_subsets``; otherwise the ``payments`` cluster, whose load balancer picks
v1 or v2 again by weight). Each retry waits ``retry_backoff_ms`` first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field

from generator.sim.config import Latency, MeshConfig
from generator.sim.distribution import Mixture, Piece


@dataclass(frozen=True)
class AttemptOutcome:
    """One possible result of a single attempt: its probability, code and latency."""

    prob: float
    code: int
    lo: float
    hi: float
    subset: str


@dataclass(frozen=True)
class Path:
    """One sequence of attempts of a request (failures then a final answer)."""

    prob: float
    attempts: tuple[AttemptOutcome, ...]
    backoff_ms: float
    retry_policy: bool

    @property
    def final(self) -> AttemptOutcome:
        return self.attempts[-1]

    @property
    def ok(self) -> bool:
        return self.final.code < 400

    @property
    def bounds(self) -> tuple[float, float]:
        """Latency bounds of the whole request: attempts plus backoffs (comonotonic)."""
        wait = self.backoff_ms * (len(self.attempts) - 1)
        return (
            sum(a.lo for a in self.attempts) + wait,
            sum(a.hi for a in self.attempts) + wait,
        )


@dataclass(frozen=True)
class Traffic:
    """Final responses seen at one point: rate per code and the latency mixture."""

    codes: dict[int, float]
    latency: Mixture

    @property
    def rate(self) -> float:
        return sum(self.codes.values())


@dataclass(frozen=True)
class RetryStats:
    """Per-second attempt and retry counts of one cluster (see ``generator.metrics_catalogue``).

    ``retries_in_flight`` is Little's law over the retry attempts: what Envoy's
    retry circuit breaker counts against ``max_retries``.
    """

    attempts: float
    retries: float = 0.0
    retried_codes: dict[int, float] = field(default_factory=dict)
    retry_success: float = 0.0
    retry_limit_exceeded: float = 0.0
    retries_in_flight: float = 0.0


@dataclass(frozen=True)
class Cluster:
    """One Envoy cluster of a sidecar: ``local_app`` or an upstream service (or subset)."""

    name: str
    destination: str | None
    subset: str | None
    traffic: Traffic
    retry: RetryStats
    endpoints: int = 1
    grpc_method: str | None = None
    #: clusters merged into this one, each keeping its own connection pool (plain Envoy's
    #: one cluster per service, whose subsets are hosts with pools of their own)
    pools: tuple[Cluster, ...] = ()


@dataclass(frozen=True)
class Sidecar:
    """One Envoy proxy: its inbound listener and its clusters.

    A sidecar (not a ``gateway``) also has one outbound listener per upstream
    service, where its app sends the calls those clusters carry.
    """

    name: str
    service: str
    listener_prefix: str
    listener_address: str
    inbound: Traffic
    clusters: tuple[Cluster, ...]
    gateway: bool = False

    @property
    def pod(self) -> str:
        return f"{self.name}-0"


def call_paths(
    outcomes: list[AttemptOutcome], num_retries: int, backoff_ms: float, weight: float = 1.0
) -> list[Path]:
    """Every attempt sequence of a request, retrying 5xx up to ``num_retries`` times."""
    paths: list[Path] = []

    def walk(prefix: tuple[AttemptOutcome, ...], prob: float) -> None:
        for outcome in outcomes:
            attempts = (*prefix, outcome)
            p = prob * outcome.prob
            if outcome.code >= 500 and len(prefix) < num_retries:
                walk(attempts, p)
            else:
                paths.append(Path(p, attempts, backoff_ms, num_retries > 0))

    walk((), weight)
    return [p for p in paths if p.prob > 0]


def build_mesh(config: MeshConfig) -> tuple[Sidecar, ...]:
    """The five sidecars of the demo with every rate derived from ``config``."""
    rps = config.ingress_rps
    cur = config.currency_latency
    payments_paths = _payments_paths(config)
    by_subset = _attempts_by_subset(payments_paths, rps)
    payments_sidecars = tuple(
        _payments_sidecar(subset, attempts, cur) for subset, attempts in sorted(by_subset.items())
    )
    currency_rate = sum(s.clusters[-1].traffic.rate for s in payments_sidecars)
    currency_in = Traffic(
        {200: currency_rate}, Mixture.of([Piece(currency_rate, cur.lo_ms, cur.hi_ms)])
    )
    api_upstream = _api_upstream_clusters(config, payments_paths)
    api_in = _respond(config.api_latency, payments_paths, rps, config.upstream_failure_code)
    ingress_in = _shift(api_in, config.ingress_latency)
    return (
        Sidecar(
            "ingress-gateway", "ingress-gateway", "ingress_upstream_8080", "0.0.0.0_8080",
            ingress_in, (Cluster("api", "api", None, api_in, RetryStats(api_in.rate)),),
            gateway=True,
        ),
        Sidecar("api", "api", *_public, api_in, (_local_app(api_in), *api_upstream)),
        *payments_sidecars,
        Sidecar("currency", "currency", *_public, currency_in, (_local_app(currency_in),)),
    )  # fmt: skip


_public = ("public_listener", "0.0.0.0_20000")


def _payments_outcomes(config: MeshConfig, subset: str, share: float) -> list[AttemptOutcome]:
    cur = config.currency_latency
    if subset == "v1":
        lat = config.payments_v1_latency
        return [AttemptOutcome(share, 200, lat.lo_ms + cur.lo_ms, lat.hi_ms + cur.hi_ms, "v1")]
    ok, err, e = config.payments_v2_latency, config.payments_v2_error_latency, config.v2_error_rate
    return [
        AttemptOutcome(share * (1 - e), 200, ok.lo_ms + cur.lo_ms, ok.hi_ms + cur.hi_ms, "v2"),
        AttemptOutcome(share * e, config.v2_error_code, err.lo_ms, err.hi_ms, "v2"),
    ]


def _payments_paths(config: MeshConfig) -> dict[str, list[Path]]:
    """Paths per api cluster: ``{"v1": ..., "v2": ...}`` or ``{"payments": ...}``."""
    shares = {"v1": 1 - config.v2_share, "v2": config.v2_share}
    retries, backoff = config.num_retries, config.retry_backoff_ms
    if config.use_subsets:
        return {
            subset: call_paths(_payments_outcomes(config, subset, 1.0), retries, backoff, share)
            for subset, share in shares.items()
            if share > 0
        }
    outcomes = [o for s, share in shares.items() for o in _payments_outcomes(config, s, share)]
    return {"payments": call_paths([o for o in outcomes if o.prob > 0], retries, backoff)}


def _all_paths(paths: dict[str, list[Path]]) -> Iterator[Path]:
    for group in paths.values():
        yield from group


def _attempts_by_subset(
    paths: dict[str, list[Path]], rps: float
) -> dict[str, list[tuple[int, Piece]]]:
    """Attempts reaching each payments subset: ``(code, Piece(rate, lo, hi))`` rows."""
    found: dict[str, list[tuple[int, Piece]]] = defaultdict(list)
    for path in _all_paths(paths):
        for a in path.attempts:
            found[a.subset].append((a.code, Piece(rps * path.prob, a.lo, a.hi)))
    return dict(found)


def _payments_sidecar(subset: str, attempts: list[tuple[int, Piece]], cur: Latency) -> Sidecar:
    codes: dict[int, float] = defaultdict(float)
    for code, piece in attempts:
        codes[code] += piece.rate
    inbound = Traffic(dict(codes), Mixture.of(piece for _, piece in attempts))
    ok_rate = codes.get(200, 0.0)
    to_currency = Traffic({200: ok_rate}, Mixture.of([Piece(ok_rate, cur.lo_ms, cur.hi_ms)]))
    currency = Cluster(
        "currency", "currency", None, to_currency, RetryStats(ok_rate),
        grpc_method="FakeService.Handle",
    )  # fmt: skip
    return Sidecar(
        f"payments-{subset}", "payments", *_public, inbound, (_local_app(inbound), currency)
    )


def _api_upstream_clusters(config: MeshConfig, paths: dict[str, list[Path]]) -> list[Cluster]:
    rps = config.ingress_rps
    clusters = []
    for name, group in paths.items():
        subset = name if name != "payments" else None
        endpoints = 1 if subset else len({a.subset for p in group for a in p.attempts})
        traffic = _final_traffic(group, rps)
        clusters.append(
            Cluster(name, "payments", subset, traffic, _retry_stats(group, rps), endpoints)
        )
    return clusters


def _final_traffic(paths: list[Path], rps: float) -> Traffic:
    codes: dict[int, float] = defaultdict(float)
    pieces = []
    for path in paths:
        codes[path.final.code] += rps * path.prob
        pieces.append(Piece(rps * path.prob, *path.bounds))
    return Traffic(dict(codes), Mixture.of(pieces))


def _retry_stats(paths: list[Path], rps: float) -> RetryStats:
    attempts = retries = success = exceeded = busy_ms = 0.0
    retried: dict[int, float] = defaultdict(float)
    for path in paths:
        rate = rps * path.prob
        attempts += rate * len(path.attempts)
        retries += rate * (len(path.attempts) - 1)
        busy_ms += rate * sum((a.lo + a.hi) / 2 for a in path.attempts[1:])
        for attempt in path.attempts[:-1]:
            retried[attempt.code] += rate
        if len(path.attempts) > 1 and path.ok:
            success += rate
        if path.retry_policy and path.final.code >= 500:
            exceeded += rate
    return RetryStats(attempts, retries, dict(retried), success, exceeded, busy_ms / 1000)


def _respond(own: Latency, paths: dict[str, list[Path]], rps: float, failure_code: int) -> Traffic:
    """The caller's answers: its own latency plus the call's, failing when the call failed."""
    codes: dict[int, float] = defaultdict(float)
    pieces = []
    for path in _all_paths(paths):
        lo, hi = path.bounds
        codes[200 if path.ok else failure_code] += rps * path.prob
        pieces.append(Piece(rps * path.prob, own.lo_ms + lo, own.hi_ms + hi))
    return Traffic(dict(codes), Mixture.of(pieces))


def _shift(traffic: Traffic, own: Latency) -> Traffic:
    pieces = [p.shifted(own.lo_ms, own.hi_ms) for p in traffic.latency.pieces]
    return Traffic(dict(traffic.codes), Mixture.of(pieces))


def _local_app(inbound: Traffic) -> Cluster:
    return Cluster("local_app", None, None, inbound, RetryStats(inbound.rate))
