"""Fixtures shared by every test area: paths, the shipped build, the CLI runner."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from generator.build import BuiltDashboard, build_dashboards
from generator.cli import main

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ROOT / "dashboards"
SCHEMA_DIR = ROOT.parent / "shared" / "grafana-schema"


@dataclass
class CliResult:
    exit_code: int
    out: str
    err: str


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> Callable[..., CliResult]:
    """Run `meshdash ARGS...` in-process; returns exit code and captured output."""

    def run(*args: str) -> CliResult:
        capsys.readouterr()
        code = main(list(args))
        captured = capsys.readouterr()
        return CliResult(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def shipped() -> list[BuiltDashboard]:
    """The dashboards in dashboards/, built once per session."""
    return build_dashboards(DASHBOARDS)


@pytest.fixture(scope="session")
def grafana_schema() -> Callable[[str], dict[str, Any]]:
    """Loader of Grafana's JSON schemas from ../shared/grafana-schema (skips when absent)."""
    if not SCHEMA_DIR.is_dir():
        pytest.skip(f"Grafana's JSON schemas not found at {SCHEMA_DIR} (the shared/ folder)")

    def load(name: str) -> dict[str, Any]:
        return json.loads((SCHEMA_DIR / f"{name}.jsonschema.json").read_text())

    return load
