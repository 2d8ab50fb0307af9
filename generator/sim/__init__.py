"""The mesh simulator and the Prometheus sandbox.

A deterministic fluid model of the Consul demo mesh (``ingress-gateway -> api
-> payments v1|v2 -> currency``) that emits Envoy's metrics with Consul's stat
tags, knows the ground truth of every query, and feeds a real Prometheus either
live (scraped HTTP endpoints) or by backfill (promtool).
"""

from generator.sim.config import Latency, MeshConfig
from generator.sim.mesh import Mesh
from generator.sim.prometheus import PrometheusServer
from generator.sim.prometheus_sandbox import Sandbox, backfilled_prometheus, live_prometheus
from generator.sim.truth import Truth

__all__ = [
    "Latency",
    "Mesh",
    "MeshConfig",
    "PrometheusServer",
    "Sandbox",
    "Truth",
    "backfilled_prometheus",
    "live_prometheus",
]
