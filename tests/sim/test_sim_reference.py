"""The simulator emits every Envoy/Consul family of the shared metric reference, as Envoy does.

The reference (``../shared/reference/envoy-consul-istio-metrics.md``) is read and
its table parsed here, so a family added there fails this test until the
simulator emits it.
"""

from __future__ import annotations

import itertools
import math
import os
import re
from pathlib import Path

import pytest

from generator.sim import Mesh
from generator.sim.exposition import envoy_text
from tests.sim.conftest import SIDECARS, family_of, parse_exposition

REFERENCE = (
    Path(__file__).resolve().parents[2].parent
    / "shared"
    / "reference"
    / "envoy-consul-istio-metrics.md"
)
#: Families Envoy creates at the first response of their kind (per-code stats): a
#: sidecar whose clusters never retry has none, in Envoy as in the simulator.
ON_FIRST_RETRY = {
    "envoy_cluster_retry_upstream_rq",
    "envoy_cluster_retry_upstream_rq_xx",
    "envoy_cluster_retry_upstream_rq_completed",
}
RETRYING_SIDECARS = {"api"}
#: Nothing in the demo mesh times out, is refused, resets, fails to connect or is ejected.
IDLE_PATTERN = re.compile(
    r"_(timeout|overflow|reset|connect_fail|pending_active|ejections_active|enforced_total|open)$"
)


def _reference_text() -> str:
    if not REFERENCE.is_file():
        if os.environ.get("CI"):
            pytest.fail(f"{REFERENCE} is missing, and CI must check the simulator against it")
        pytest.skip(f"the metric reference is not at {REFERENCE} (the shared/ folder)")
    return REFERENCE.read_text(encoding="utf-8")


def _expand_braces(name: str) -> list[str]:
    """``a_{b,c}_{d,e}`` -> ``a_b_d``, ``a_b_e``, ``a_c_d``, ``a_c_e``."""
    parts = re.split(r"\{([^}]*)\}", name)
    choices = [[p] if i % 2 == 0 else p.split(",") for i, p in enumerate(parts)]
    return ["".join(combo) for combo in itertools.product(*choices)]


def _expand_cell(cell: str) -> list[str]:
    """``envoy_x_rq_total, _rq_retry / _cx_total`` -> full family names.

    A continuation ``_a_b`` replaces the first name from its last ``_a``, or else
    the first name's last word (``upstream_rq_timeout, _per_try_timeout``).
    """
    names = [n.strip().strip("`") for n in re.split(r",\s*(?![^{]*\})|\s/\s", cell)]
    first, out = names[0], [names[0]]
    for name in names[1:]:
        if name.startswith("envoy_"):
            out.append(name)
            continue
        head = "_" + name.split("_")[1]
        cut = first.rfind(head) if head in first else first.rfind("_")
        out.append(first[:cut] + name)
    families = [f for name in out for f in _expand_braces(name)]
    return [re.sub(r"_bucket$", "", f.split("/")[0]) for f in families]


def reference_families() -> dict[str, set[str]]:
    """``family -> allowed types`` from the Envoy table (the gRPC row is checked apart)."""
    table = _reference_text().split("## Envoy's Prometheus form", 1)[1].split("\n## ", 1)[0]
    found: dict[str, set[str]] = {}
    for line in table.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) < 2 or not cells[0].startswith("envoy_"):
            continue
        families = _expand_cell(cells[0])
        types = [t.strip() for t in cells[1].split("(")[0].split("/")]
        for i, family in enumerate(families):
            if len(types) == len(families):  # "gauge / counter / counter": one type per name
                found[family] = {types[i]}
            else:  # "counter / histogram" over several names: the latencies are the histograms
                histogram = family.endswith("_time")
                found[family] = {"histogram"} if histogram else set(types) - {"histogram"}
    return found


def reference_consul_labels() -> tuple[set[str], set[str]]:
    """Labels on every stat, and those on upstream cluster stats, from the Consul section."""
    section = _reference_text().split("## Consul's stat tags", 1)[1].split("\n## ", 1)[0]
    bullets = section.split("\n- ")
    every, upstream = (set(re.findall(r"`([a-z_]+[a-z])`", b)) for b in bullets[1:3])
    return every, upstream


def test_reference_parser_reads_the_table() -> None:
    families = reference_families()
    # Spot checks of each notation the table uses: plain, continuation, braces, "/" types.
    assert families["envoy_cluster_upstream_rq_time"] == {"histogram"}
    assert families["envoy_cluster_upstream_rq_per_try_timeout"] == {"counter"}
    assert families["envoy_cluster_circuit_breakers_high_remaining_retries"] == {"gauge"}
    assert families["envoy_listener_downstream_cx_active"] == {"gauge"}
    assert families["envoy_listener_downstream_cx_destroy"] == {"counter"}
    assert families["envoy_cluster_external_upstream_rq_xx"] == {"counter"}
    assert families["envoy_cluster_external_upstream_rq_time"] == {"histogram"}
    assert len(families) > 50
    assert all(f.startswith("envoy_") and "istio" not in f for f in families)


@pytest.mark.parametrize("sidecar", SIDECARS)
def test_every_reference_family_is_emitted_with_its_type(sidecar: str) -> None:
    types, samples = parse_exposition(envoy_text(Mesh(start=0), sidecar, 600.0))
    emitted = {family_of(name, types) for name, *_ in samples}
    for family, allowed in reference_families().items():
        if family in ON_FIRST_RETRY and sidecar not in RETRYING_SIDECARS:
            assert family not in emitted, f"{sidecar} never retries, yet emits {family}"
            continue
        assert family in emitted, f"{sidecar} does not emit {family}"
        assert types[family] in allowed, f"{family} is a {types[family]}, not {allowed}"


@pytest.mark.parametrize("sidecar", SIDECARS)
def test_families_with_nothing_happening_are_zero(sidecar: str) -> None:
    types, samples = parse_exposition(envoy_text(Mesh(start=0), sidecar, 600.0))
    idle = {f for f in reference_families() if IDLE_PATTERN.search(f)}
    assert len(idle) >= 20  # timeouts, overflows, resets, connect failures, breakers, ejections
    seen = set()
    for name, labels, value, _ in samples:
        family = family_of(name, types)
        if family in idle:
            seen.add(family)
            assert value == 0, f"{sidecar}: {name}{labels} = {value}, nothing happens there"
    assert seen == idle


@pytest.mark.parametrize("sidecar", SIDECARS)
def test_cluster_series_carry_consul_stat_tags(sidecar: str) -> None:
    every, upstream = reference_consul_labels()
    assert {"consul_source_service", "consul_destination_full_target"} <= every | upstream
    _, samples = parse_exposition(envoy_text(Mesh(start=0), sidecar, 60.0))
    for name, labels, _, _ in samples:
        assert every <= labels.keys(), f"{name} lacks {every - labels.keys()}"
        if not name.startswith("envoy_cluster_") or labels["envoy_cluster_name"] == "local_app":
            continue
        expected = set(upstream)
        if labels["envoy_cluster_name"] == labels["consul_destination_service"]:  # no subset
            expected -= {"consul_destination_service_subset", "consul_service_subset"}
        assert expected <= labels.keys(), f"{sidecar}: {name} lacks {expected - labels.keys()}"
        assert labels["consul_service"] == labels["consul_destination_service"]
        assert labels["consul_destination_full_target"].startswith(
            labels["consul_destination_target"] + ".internal."
        )


def test_grpc_counters_in_tag_extracted_form() -> None:
    text = _reference_text()
    assert "envoy_grpc_bridge_service" in text and "envoy_grpc_bridge_method" in text
    mesh = Mesh(start=0)
    truth = mesh.truth()
    for sidecar in ("payments-v1", "payments-v2"):
        types, samples = parse_exposition(envoy_text(mesh, sidecar, 100.0))
        rows = {
            name: (labels, value)
            for name, labels, value, _ in samples
            if name.startswith("envoy_cluster_grpc_") and "envoy_grpc_bridge_method" in labels
        }
        assert set(rows) == {
            f"envoy_cluster_grpc_{s}" for s in ("success", "failure", "total", "0")
        }
        assert all(types[name] == "counter" for name in rows)
        labels, total = rows["envoy_cluster_grpc_total"]
        assert (labels["envoy_grpc_bridge_service"], labels["envoy_grpc_bridge_method"]) == (
            "FakeService",
            "Handle",
        )
        assert labels["consul_destination_service"] == "currency"
        assert rows["envoy_cluster_grpc_failure"][1] == 0
        assert rows["envoy_cluster_grpc_success"][1] == rows["envoy_cluster_grpc_0"][1] == total
    # Every gRPC call payments makes is a request currency receives.
    assert truth.grpc_rate("payments", "currency") == truth.downstream_rate("currency") > 0
    for sidecar in ("ingress-gateway", "api", "currency"):
        assert not any(s.family.startswith("envoy_cluster_grpc") for s in mesh.emitted(sidecar))


@pytest.mark.parametrize("sidecar", SIDECARS)
def test_histograms_use_envoys_default_buckets_in_ms(sidecar: str) -> None:
    listed = re.search(r"default buckets\s+`([^`]+)`", _reference_text())
    assert listed, "the reference no longer lists Envoy's default buckets"
    bounds = [float(b) for b in listed.group(1).split(",") if b.strip() != "+Inf"]
    types, samples = parse_exposition(envoy_text(Mesh(start=0), sidecar, 60.0))
    per_series: dict[tuple[str, tuple], list[float]] = {}
    for name, labels, _, _ in samples:
        if name.endswith("_bucket") and types.get(family_of(name, types)) == "histogram":
            key = (name, tuple(sorted((k, v) for k, v in labels.items() if k != "le")))
            per_series.setdefault(key, []).append(float(labels["le"]))
    assert per_series
    for (name, _), les in per_series.items():
        assert les == [*bounds, math.inf], name
