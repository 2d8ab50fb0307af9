"""`meshdash validate --sandbox`: the live simulator, a real Prometheus, and nothing left behind."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from generator.validate.live_sandbox import scrapes_needed


def _our_prometheus_children() -> list[int]:
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        name = stat[stat.index("(") + 1 : stat.rindex(")")]
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        if name == "prometheus" and ppid == os.getpid():
            pids.append(int(entry.name))
    return pids


@pytest.mark.timeout(120)
def test_sandbox_validates_the_shipped_dashboards_live_and_stops(
    run_cli: Any, shipped_dir: Path
) -> None:
    result = run_cli(
        "validate", "--sandbox", "--strict", "--range", "5m", "--dashboards", str(shipped_dir)
    )
    assert result.exit_code == 0, result.out + result.err
    summary = result.out.strip().splitlines()[-1]
    # 21 panels of the service and overview dashboards, 17 of security, release and resilience
    assert summary.startswith("validate: 38 panel(s) ok, 0 failed, 0 warning(s)")
    assert "http://127.0.0.1:" in summary
    assert _our_prometheus_children() == []


@pytest.mark.parametrize(
    ("range_text", "scrape", "scrapes"),
    [
        # 5m over 1500 points is 200ms, so $__interval is the 1s scrape and
        # $__rate_interval is 4 scrapes: 5 scrapes put 2 samples in every window.
        ("5m", "1s", 5),
        # 6h / 1500 = 14.4s, which Grafana rounds to 15s; $__rate_interval = 15s + 1s
        ("6h", "1s", 17),
        ("30m", "15s", 5),
    ],
)
def test_scrapes_needed_cover_the_rate_interval(range_text: str, scrape: str, scrapes: int) -> None:
    assert scrapes_needed(range_text, scrape) == scrapes
