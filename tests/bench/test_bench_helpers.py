"""The benchmark harness's own helpers (no benchmark runs here)."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import pytest
from grafanalib import core as g

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from bench import defs, push_bench, synthetic_mesh  # noqa: E402
from bench.measure import Target, median  # noqa: E402
from generator.sim.istio import istio_series  # noqa: E402
from generator.sim.series import Series  # noqa: E402
from generator.validate import PrometheusClient, connection_from  # noqa: E402
from generator.validate.options import extract_options  # noqa: E402
from generator.validate.variable_query import run_variable_query  # noqa: E402
from generator.variables import service as service_variable  # noqa: E402
from generator.variables import upstream as upstream_variable  # noqa: E402


@pytest.mark.parametrize(
    ("value", "op", "limit", "status"),
    [
        (0.9, "<=", 1.0, "PASS"),
        (1.0, "<=", 1.0, "PASS"),
        (1.01, "<=", 1.0, "FAIL"),
        (4.0, ">=", 4.0, "PASS"),
        (3.9, ">=", 4.0, "FAIL"),
        (None, ">=", 4.0, "NOT MEASURED"),
    ],
)
def test_target_status(value: float | None, op: str, limit: float, status: str) -> None:
    target = Target("t", value, op, limit)
    assert target.status == status
    assert target.as_json()["status"] == status


def test_median_of_three_ignores_the_outlier() -> None:
    assert median([1.0, 9.0, 2.0]) == 2.0


def test_to_source_rebuilds_an_equal_grafanalib_object() -> None:
    panel = g.TimeSeries(
        title="t",
        targets=[g.Target(expr='up{job="x"}', legendFormat="{{job}}", refId="A")],
        gridPos=g.GridPos(h=8, w=12, x=0, y=1),
        unit="reqps",
        legendCalcs=["mean"],
    )
    rebuilt = eval(defs.to_source(panel), {"g": g})  # the generated grafanalib source
    assert rebuilt.to_json_data() == panel.to_json_data()
    assert "maxDataPoints" not in defs.to_source(panel)  # defaults are left out


def test_panel_exprs_lists_rows_and_targets_in_order() -> None:
    data = {
        "panels": [
            {"type": "row", "title": "R"},
            {"title": "P", "targets": [{"expr": "a"}, {"expr": "b"}]},
        ]
    }
    assert defs.panel_exprs(data) == [("R", []), ("P", ["a", "b"])]


def test_changed_copy_changes_every_hundredth_dashboard(tmp_path: Path) -> None:
    source = tmp_path / "built"
    source.mkdir()
    for i in range(250):
        panels = [{"type": "row", "title": "r"}, {"type": "timeseries", "title": f"p{i}"}]
        (source / f"d{i:03d}.json").write_text(json.dumps({"uid": f"d{i}", "panels": panels}))
    (source / ".meshdash-manifest").write_text('{"files": {}}')
    assert push_bench.changed_copy(source, tmp_path / "changed") == 3
    assert (tmp_path / "changed" / ".meshdash-manifest").read_text() == '{"files": {}}'
    titles = {
        p.name: json.loads(p.read_text())["panels"][1]["title"]
        for p in (tmp_path / "changed").glob("*.json")
    }
    assert sorted(n for n, t in titles.items() if t.endswith("(changed)")) == [
        "d000.json",
        "d100.json",
        "d200.json",
    ]


@pytest.mark.parametrize(
    ("stored", "pages", "verdict"),
    [
        (16_530_000, 8, "over"),
        (10_485_760, 5, "within"),
        (10_485_761, 6, "over"),
        (10, 1, "within"),
    ],
)
def test_list_floor_is_the_stored_bytes_over_the_page_budget(
    stored: int, pages: int, verdict: str
) -> None:
    floor = push_bench.list_floor(stored, 2 * 1024 * 1024, 1000)
    assert floor["pages"] == pages
    assert floor["target_fits_bytes_per_dashboard"] == 10_485  # 5 pages of 2 MiB over 1,000
    line = push_bench.floor_line({"dashboards": 1000, "apis_list_floor": floor})
    assert f"= {pages} page(s), {verdict} the target of 5" in line


def test_synthetic_mesh_has_every_service_called_twice() -> None:
    sidecars = synthetic_mesh.sidecars(20)
    called = [c.destination for s in sidecars for c in s.clusters if c.destination]
    assert sorted(set(called)) == [synthetic_mesh.service_name(i) for i in range(20)]
    assert all(called.count(name) == 2 for name in set(called))


def test_families_used_keeps_histograms_named_by_bucket() -> None:
    queries = ["histogram_quantile(0.9, rate(envoy_cluster_upstream_rq_time_bucket[1m]))"]
    assert synthetic_mesh.families_used(queries, 5) == {"envoy_cluster_upstream_rq_time"}


def _requests_by(reporter: str, mesh: list[Series]) -> set[tuple[str | None, str | None]]:
    """(source, destination) canonical services of `istio_requests_total` from `reporter`."""
    return {
        (s.label("source_canonical_service"), s.label("destination_canonical_service"))
        for s in mesh
        if s.family == "istio_requests_total" and s.label("reporter") == reporter
    }


def test_synthetic_istio_series_are_the_simulators_for_the_whole_mesh() -> None:
    mesh = synthetic_mesh.sidecars(20)
    shortcut = [s for s in synthetic_mesh.istio_mesh_series(mesh) if "_tcp_" not in s.family]
    key = lambda s: (s.family, s.sidecar, s.labels, s.rate)  # noqa: E731
    assert sorted(map(key, shortcut)) == sorted(map(key, istio_series(mesh)))


def test_synthetic_istio_requests_name_every_pair_from_both_reporters() -> None:
    count = 20
    series = synthetic_mesh.istio_mesh_series(synthetic_mesh.sidecars(count))
    pairs = {
        (synthetic_mesh.service_name(i), synthetic_mesh.service_name((i + k) % count))
        for i in range(count)
        for k in synthetic_mesh.CALL_OFFSETS
    }
    assert _requests_by("source", series) == pairs
    assert _requests_by("destination", series) == pairs
    for s in series:
        reporter = "source" if s.label("reporter") == "source" else "destination"
        assert s.sidecar == s.label(f"{reporter}_canonical_service")


def test_synthetic_istio_tcp_connections_from_every_tenth_service_both_reporters() -> None:
    count = 30
    series = synthetic_mesh.istio_mesh_series(synthetic_mesh.sidecars(count))
    opened = {
        (s.label("reporter"), s.label("source_canonical_service"),
         s.label("destination_canonical_service"), s.label("request_protocol"))
        for s in series
        if s.family == "istio_tcp_connections_opened_total"
    }  # fmt: skip
    callers = [synthetic_mesh.service_name(i) for i in (0, 10, 20)]
    callees = [synthetic_mesh.service_name(i + synthetic_mesh.TCP_OFFSET) for i in (0, 10, 20)]
    assert opened == {
        (reporter, caller, callee, "tcp")
        for reporter in ("source", "destination")
        for caller, callee in zip(callers, callees, strict=True)
    }


def test_families_used_by_the_istio_variable_queries() -> None:
    queries = [
        str(variable(flavor="istio").query) for variable in (service_variable, upstream_variable)
    ]
    assert synthetic_mesh.families_used(queries, 12) == {
        "istio_requests_total",
        "istio_tcp_connections_opened_total",
    }


def _options(client: PrometheusClient, variable: Any, query: str, at: int) -> list[str]:
    """The values Grafana would offer: the query's texts through the variable's regex."""
    texts = run_variable_query(client, query, start=at - 300, end=at)
    return sorted(o.value for o in extract_options(texts, variable.regex))


def test_istio_variables_list_the_synthetic_mesh_as_grafana_would(tmp_path: Path) -> None:
    """The shipped Istio variable queries, run on a real Prometheus over the mesh."""
    count, step, last = 12, 30, int(time.time() // 30 * 30)
    services, upstreams = service_variable(flavor="istio"), upstream_variable(flavor="istio")
    chained = str(upstreams.query).replace("$service", synthetic_mesh.service_name(0))
    with (
        synthetic_mesh.backfilled(
            tmp_path, count, [str(services.query), chained], first=last - 300, last=last, step=step
        ) as server,
        PrometheusClient(connection_from(server.url, environ={})) as client,
    ):
        listed = _options(client, services, str(services.query), last)
        called = _options(client, upstreams, chained, last)
    assert listed == [synthetic_mesh.service_name(i) for i in range(count)]
    # svc-001 and svc-007 over HTTP, svc-003 over TCP only (the `or` branch)
    assert called == [synthetic_mesh.service_name(i) for i in (1, 3, 7)]
