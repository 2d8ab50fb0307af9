"""Fixtures shared by every test area: paths, the shipped build, the CLI runner."""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from generator.cli import main
from generator.flavors import using_flavor
from generator.outputs.build import build_dashboards
from generator.outputs.built import BuiltDashboard

ROOT = Path(__file__).resolve().parent.parent
DASHBOARDS = ROOT / "dashboards"
SCHEMA_DIR = ROOT.parent / "shared" / "grafana-schema"
#: The definitions meshdash ships. `dashboards/` is the user's: their own files sit beside
#: these, so tests of the shipped dashboards read only these files, never the whole folder.
SHIPPED_FILES = ("overview.py", "release.py", "resilience.py", "security.py", "service.py")
SHIPPED_UIDS = (
    "meshdash-overview",
    "meshdash-release",
    "meshdash-resilience",
    "meshdash-security",
    "meshdash-service",
)


def copy_shipped(folder: Path) -> Path:
    """Fill `folder` with the shipped definitions only, for commands that take a folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED_FILES:
        shutil.copyfile(DASHBOARDS / name, folder / name)
    return folder


def build_shipped(flavor: str = "consul") -> list[BuiltDashboard]:
    """The shipped dashboards, built from their own files whatever else is in dashboards/."""
    with (
        tempfile.TemporaryDirectory(prefix="meshdash-shipped-") as scratch,
        using_flavor(flavor),
    ):
        built = build_dashboards(copy_shipped(Path(scratch)))
    return [replace(item, source=DASHBOARDS / item.source.name) for item in built]


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
    """The shipped dashboards (not the user's), built once per session."""
    return build_shipped()


@pytest.fixture(scope="session")
def shipped_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A dashboards folder with only the shipped definitions, for `--dashboards`."""
    return copy_shipped(tmp_path_factory.mktemp("shipped") / "dashboards")


def require_schema_dir(directory: Path, environ: Mapping[str, str]) -> None:
    """Skip without Grafana's schemas (a checkout without shared/), but fail on CI.

    CI (set by GitHub Actions, GitLab CI and most runners) must prove the schema check
    ran: there a missing folder is a broken setup, not a reason to pass.
    """
    if directory.is_dir():
        return
    message = f"Grafana's JSON schemas not found at {directory} (the shared/ folder)"
    if environ.get("CI", "").strip().lower() not in ("", "0", "false", "no"):
        pytest.fail(f"{message}; CI is set, so the schema tests must run", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def grafana_schema() -> Callable[[str], dict[str, Any]]:
    """Loader of Grafana's JSON schemas from ../shared/grafana-schema (see require_schema_dir)."""
    require_schema_dir(SCHEMA_DIR, os.environ)

    def load(name: str) -> dict[str, Any]:
        return json.loads((SCHEMA_DIR / f"{name}.jsonschema.json").read_text())

    return load
