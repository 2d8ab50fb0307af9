"""Envoy's text format and the OpenMetrics backfill, parsed back."""

from __future__ import annotations

import io

import pytest

from generator.metrics_catalogue import METRIC_TYPES
from generator.sim import Mesh, MeshConfig
from generator.sim.exposition import envoy_text, format_value, write_openmetrics
from tests.sim.conftest import SIDECARS, family_of, parse_exposition

# Envoy stats whose own name ends in _total; no other counter may gain the suffix.
ENVOY_STATS_ENDING_IN_TOTAL = {
    "envoy_cluster_upstream_rq_total",
    "envoy_cluster_upstream_cx_total",
    "envoy_cluster_upstream_cx_rx_bytes_total",
    "envoy_cluster_upstream_cx_tx_bytes_total",
    "envoy_tcp_downstream_cx_total",
    "envoy_tcp_downstream_cx_rx_bytes_total",
    "envoy_tcp_downstream_cx_tx_bytes_total",
    "envoy_cluster_outlier_detection_ejections_enforced_total",
    "envoy_http_downstream_rq_total",
    "envoy_listener_downstream_cx_total",
    "envoy_cluster_grpc_FakeService_Handle_total",
    "envoy_cluster_grpc_total",
}


@pytest.mark.parametrize("sidecar", SIDECARS)
def test_envoy_text_types_every_family_like_envoy(sidecar: str) -> None:
    types, samples = parse_exposition(envoy_text(Mesh(start=0), sidecar, 120.0))
    assert samples
    for name, _, value, stamp in samples:
        family = family_of(name, types)
        assert family in types, f"{name} has no TYPE line"
        assert types[family] == METRIC_TYPES[family]
        assert stamp is None  # Envoy sends no timestamps
        assert value >= 0
        if types[family] != "histogram":
            assert name == family  # counters keep Envoy's name: no _total added
    assert set(types.values()) <= {"counter", "gauge", "histogram"}
    totals = {f for f, kind in types.items() if kind == "counter" and f.endswith("_total")}
    assert totals <= ENVOY_STATS_ENDING_IN_TOTAL


def test_envoy_text_api_carries_consul_labels_and_values() -> None:
    _, samples = parse_exposition(envoy_text(Mesh(start=0), "api", 100.0))
    rows = [
        (labels, value)
        for name, labels, value, _ in samples
        if name == "envoy_cluster_upstream_rq" and labels.get("envoy_cluster_name") == "v2"
    ]
    by_code = {labels["envoy_response_code"]: value for labels, value in rows}
    assert by_code == {"200": 787.5, "503": 12.5}
    labels = rows[0][0]
    assert labels["local_cluster"] == labels["consul_source_service"] == "api"
    assert labels["consul_destination_service"] == "payments"
    assert labels["consul_destination_service_subset"] == "v2"
    assert "job" not in labels and "instance" not in labels  # Prometheus adds those


def test_listener_series_carry_prefix_and_address() -> None:
    _, samples = parse_exposition(envoy_text(Mesh(start=0), "api", 10.0))
    listener = [s for s in samples if s[0] == "envoy_listener_http_downstream_rq_xx"]
    assert {s[1]["envoy_response_code_class"]: s[2] for s in listener} == {"2": 158.75, "5": 1.25}
    assert {s[1]["envoy_http_conn_manager_prefix"] for s in listener} == {"public_listener"}
    assert {s[1]["envoy_listener_address"] for s in listener} == {"0.0.0.0_20000"}


def test_openmetrics_backfill_layout() -> None:
    out = io.StringIO()
    mesh = Mesh(MeshConfig(), start=0)
    lines = write_openmetrics(mesh, out, [10, 15, 20])
    text = out.getvalue()
    assert text.endswith("# EOF\n")
    types, samples = parse_exposition(text)
    assert len(samples) == lines
    assert set(types.values()) == {"unknown", "histogram"}
    seen_families: list[str] = []
    last_stamp: dict[tuple, float] = {}
    for name, labels, _, stamp in samples:
        family = family_of(name, types)
        if not seen_families or seen_families[-1] != family:
            assert family not in seen_families, f"{family} is interleaved"
            seen_families.append(family)
        assert {"job", "instance", "namespace", "pod"} <= labels.keys()
        key = (name, tuple(sorted(labels.items())))
        assert stamp is not None and float(stamp) > last_stamp.get(key, -1)
        last_stamp[key] = float(stamp)
    for family, kind in types.items():
        assert (kind == "histogram") == (METRIC_TYPES[family] == "histogram")


@pytest.mark.parametrize(
    ("value", "text"),
    [(8.0, "8"), (0.125, "0.125"), (1e-05, "1e-05"), (float("inf"), "+Inf"), (3, "3")],
)
def test_format_value(value: float, text: str) -> None:
    assert format_value(value) == text
