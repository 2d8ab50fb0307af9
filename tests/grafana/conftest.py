"""Fixtures for the Grafana publishing tests: a started stand-in, a small build, a CLI runner."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from grafana_testdata import (
    ADMIN_PASSWORD,
    ADMIN_TOKEN,
    ADMIN_USER,
    API_MODES,
    BUILD,
    FAST,
    VIEWER_TOKEN,
    ApiPaths,
    fast_settings,
    write_build,
)
from standin import GrafanaStandIn

from generator.cli import main
from generator.grafana.client import GrafanaClient


@pytest.fixture(params=API_MODES)
def grafana(request: pytest.FixtureRequest) -> Iterator[GrafanaStandIn]:
    """The stand-in as Grafana 11 (legacy API only), 12 (/apis v1beta1) and 13 (/apis v1,
    legacy GET 406 on schema-v2 dashboards): every test using it runs against each."""
    standin = GrafanaStandIn(
        tokens={ADMIN_TOKEN: "Admin", VIEWER_TOKEN: "Viewer"},
        users={ADMIN_USER: (ADMIN_PASSWORD, "Admin")},
        slow_seconds=0.8,
        mode=request.param,
    )
    standin.start()
    yield standin
    standin.stop()


@pytest.fixture
def paths(grafana: GrafanaStandIn) -> ApiPaths:
    return ApiPaths(grafana.mode.name)


@pytest.fixture
def build_dir(tmp_path: Path) -> Path:
    return write_build(tmp_path / "build" / "dashboards", BUILD)


@dataclass
class Run:
    code: int
    out: str
    err: str


@pytest.fixture
def meshdash(
    grafana: GrafanaStandIn,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> Callable[..., Run]:
    """Run the CLI in-process against the stand-in with fast retries; returns code/out/err."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("GRAFANA_URL", grafana.url)
    monkeypatch.setenv("GRAFANA_TOKEN", ADMIN_TOKEN)
    for name in ("GRAFANA_USER", "GRAFANA_PASSWORD"):
        monkeypatch.delenv(name, raising=False)

    def run(*argv: str, fast: bool = True) -> Run:
        capsys.readouterr()
        args = list(argv)
        if fast and args and args[0] in ("push", "diff"):
            args[1:1] = FAST
        code = main(args)
        captured = capsys.readouterr()
        return Run(code, captured.out, captured.err)

    return run


@pytest.fixture
def client(grafana: GrafanaStandIn) -> Iterator[GrafanaClient]:
    with GrafanaClient(fast_settings(grafana.url)) as c:
        yield c
