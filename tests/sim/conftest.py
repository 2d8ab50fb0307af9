"""Fixtures for the simulator tests: real Prometheus sandboxes, started once per module."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator

import pytest
import requests

from generator.sim import Sandbox, backfilled_prometheus, live_prometheus

MISSING = [name for name in ("prometheus", "promtool") if shutil.which(name) is None]

SKIP_REASON = f"{', '.join(MISSING)} not on PATH (sudo apt-get install prometheus)"
needs_prometheus = pytest.mark.skipif(bool(MISSING), reason=SKIP_REASON)


SIDECARS = ["ingress-gateway", "api", "payments-v1", "payments-v2", "currency"]
Parsed = list[tuple[str, dict[str, str], float, str | None]]
_SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)\{((?:[a-z_]+="[^"]*",?)*)\} (\S+)(?: (\S+))?$')


def parse_exposition(text: str) -> tuple[dict[str, str], Parsed]:
    """``(family -> TYPE, [(sample name, labels, value, timestamp text or None)])``."""
    types: dict[str, str] = {}
    samples = []
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ")
            types[name] = kind
        elif line and not line.startswith("#"):
            match = _SAMPLE.match(line)
            assert match, line
            labels = dict(re.findall(r'([a-z_]+)="([^"]*)"', match.group(2)))
            samples.append((match.group(1), labels, float(match.group(3)), match.group(4)))
    return types, samples


def family_of(name: str, types: dict[str, str]) -> str:
    """The family of a sample name (``x_bucket`` -> ``x`` when ``x`` is a histogram)."""
    for suffix in ("_bucket", "_sum", "_count"):
        base = name.removesuffix(suffix)
        if base != name and types.get(base) == "histogram":
            return base
    return name


def instant(sandbox: Sandbox, expr: str, at: float | None = None) -> list[dict]:
    """The result vector of an instant query, evaluated at ``at`` (default: sandbox.end)."""
    params = {"query": expr, "time": str(sandbox.end if at is None else at)}
    answer = requests.get(f"{sandbox.url}/api/v1/query", params=params, timeout=10)
    body = answer.json()
    assert body["status"] == "success", body
    return body["data"]["result"]


def scalar(sandbox: Sandbox, expr: str, at: float | None = None) -> float:
    """The single value of an instant query that must return exactly one series."""
    result = instant(sandbox, expr, at)
    assert len(result) == 1, f"{expr} returned {len(result)} series"
    return float(result[0]["value"][1])


@pytest.fixture(scope="module")
def backfilled() -> Iterator[Sandbox]:
    if MISSING:
        pytest.skip(SKIP_REASON)
    with backfilled_prometheus(window_seconds=600, step_seconds=5) as sandbox:
        yield sandbox


@pytest.fixture(scope="module")
def live() -> Iterator[Sandbox]:
    if MISSING:
        pytest.skip(SKIP_REASON)
    with live_prometheus(scrape_interval=0.5, min_scrapes=6) as sandbox:
        yield sandbox
