"""`--incidents`: the sandbox plays the demo story's faults, so the Security, Release and
Resilience dashboards have something to show; without it those counters stay at 0.

Each test starts what it queries (`meshdash sandbox`, a backfilled or live Prometheus)
and stops it.
"""

from __future__ import annotations

import json
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
import requests

from generator.sim import MeshConfig
from generator.sim.incidents import Incidents
from generator.sim.prometheus_sandbox import wait_for_scrapes
from generator.validate.live_sandbox import live_sandbox
from tests.conftest import DASHBOARDS
from tests.sim.conftest import SIDECARS, needs_prometheus

pytestmark = needs_prometheus

#: Denied and failed calls of the story, each 0 without incidents.
DENIED = 'sum(envoy_http_rbac_denied{local_cluster="payments"})'
FAILED_CONNECTS = 'sum(envoy_cluster_upstream_cx_connect_fail{envoy_cluster_name="v2"})'
FAILED_HANDSHAKES = 'sum(envoy_listener_ssl_fail_verify_san{local_cluster="currency"})'


def _value(url: str, query: str, at: float) -> float | None:
    params = {"query": query, "time": f"{at:.3f}"}
    answer = requests.get(f"{url}/api/v1/query", params=params, timeout=5)
    assert answer.status_code == 200, answer.text
    result = answer.json()["data"]["result"]
    return float(result[0]["value"][1]) if result else None


def _after_two_scrapes(url: str, queries: list[str]) -> list[float | None]:
    """`queries` at one time, once every sidecar was scraped twice (its counters then > 0)."""
    wait_for_scrapes(url, len(SIDECARS), 2, timeout=30)
    at = time.time()
    return [_value(url, q, at) for q in queries]


@contextmanager
def _sandbox_command(*flags: str) -> Iterator[str]:
    """`meshdash sandbox FLAGS` running; yields its Prometheus URL, stops it with SIGTERM."""
    meshdash = Path(sys.executable).with_name("meshdash")
    process = subprocess.Popen(
        [str(meshdash), "sandbox", "--scrape-interval", "500ms", *flags],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        first = process.stdout.readline() if process.stdout else ""
        match = re.match(r"Prometheus: (http://127\.0\.0\.1:\d+) ", first)
        assert match, first
        yield match.group(1)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("incidents", [True, False])
def test_the_sandbox_command_counts_the_storys_denied_and_failed_calls(incidents: bool) -> None:
    with _sandbox_command(*(["--incidents"] if incidents else [])) as url:
        values = _after_two_scrapes(url, [DENIED, FAILED_CONNECTS, FAILED_HANDSHAKES])
    if incidents:
        assert all(v is not None and v > 0 for v in values), values
    else:
        assert all(v in (None, 0.0) for v in values), values


@pytest.mark.parametrize(("flavor", "istio_series"), [("istio", True), ("consul", False)])
def test_the_sandbox_command_speaks_the_chosen_flavor(flavor: str, istio_series: bool) -> None:
    """`meshdash sandbox --flavor istio` serves Istio's metric names, like validate --sandbox."""
    with _sandbox_command("--flavor", flavor) as url:
        istio, envoy = _after_two_scrapes(
            url, ["count(istio_requests_total)", "count(envoy_cluster_upstream_rq_total)"]
        )
    assert (istio is not None and istio > 0) is istio_series, (istio, envoy)
    assert (envoy is not None and envoy > 0) is not istio_series, (istio, envoy)


def test_the_sandbox_command_refuses_an_unknown_flavor() -> None:
    meshdash = Path(sys.executable).with_name("meshdash")
    done = subprocess.run(
        [str(meshdash), "sandbox", "--flavor", "linkerd", "--duration", "1"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "linkerd" in lines[0] and "istio" in lines[0], done.stderr


def test_validate_sandbox_takes_the_mesh_with_its_incidents() -> None:
    with live_sandbox("1m", config=MeshConfig(incidents=Incidents())) as box:
        denied, connects = _after_two_scrapes(box.url, [DENIED, FAILED_CONNECTS])
    assert denied is not None and denied > 0
    assert connects is not None and connects > 0


def _denied_on_payments(out: Path) -> list[float]:
    """What the security preview's L7 panel draws for `payments denied`."""
    page = (out / "meshdash-security.html").read_text()
    for block in re.findall(r'type="application/json" id="panel-\d+">(.*?)<', page):
        panel = json.loads(block)
        if panel["title"].startswith("L7 authorization"):
            return panel["shown"]["payments denied"]
    raise AssertionError("no L7 authorization panel on the security page")


def test_preview_sandbox_draws_the_incidents(run_cli: Callable[..., Any], tmp_path: Path) -> None:
    pytest.importorskip("matplotlib")
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    shutil.copyfile(DASHBOARDS / "security.py", dashboards / "security.py")
    drawn = {}
    for flags in ([], ["--incidents"]):
        out = tmp_path / ("with" if flags else "without")
        result = run_cli("preview", "--sandbox", *flags, "--range", "5m",
                         "--dashboards", str(dashboards), "--out", str(out))  # fmt: skip
        assert result.exit_code == 0, result.err
        drawn[bool(flags)] = _denied_on_payments(out)
    assert drawn[False] and set(drawn[False]) == {0.0}
    # The story denies 1/4 of payments' requests per second (generator.sim.incidents).
    assert drawn[True] and set(drawn[True]) == {Incidents().l7_denied_rps}


@pytest.mark.parametrize("command", ["validate", "preview"])
def test_incidents_without_a_sandbox_is_one_line_exit_2(
    run_cli: Callable[..., Any], command: str
) -> None:
    result = run_cli(command, "--prometheus", "http://127.0.0.1:9", "--incidents")
    assert result.exit_code == 2
    assert result.err == (
        "meshdash: error: --incidents needs --sandbox: it changes the simulated mesh only\n"
    )


FAILING_UPSTREAM = """
from generator.dashboard import Dashboard, Row
from generator.panels.common import target, timeseries
from generator.variables import datasource

FAILING = timeseries(
    title="Failing connects", description="Only the story's faults fail connects.", unit="cps",
    targets=[target('sum(rate(envoy_cluster_upstream_cx_connect_fail[$__rate_interval])) > 0',
                    legend="failing")],
)
STORY = Dashboard(uid="story", title="Story", variables=[datasource()],
                  rows=[Row("Faults", [FAILING])])
"""


@pytest.mark.timeout(180)
def test_validate_sandbox_incidents_gives_the_faults_data(
    run_cli: Callable[..., Any], tmp_path: Path
) -> None:
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    (dashboards / "story.py").write_text(FAILING_UPSTREAM)
    args = ["validate", "--sandbox", "--range", "5m", "--dashboards", str(dashboards)]
    healthy = run_cli(*args)
    assert healthy.exit_code == 1, healthy.out + healthy.err
    assert "Failing connects" in healthy.out
    failing = run_cli(*args, "--incidents")
    assert failing.exit_code == 0, failing.out + failing.err
    assert failing.out.strip().splitlines()[-1].startswith("validate: 1 panel(s) ok, 0 failed")
