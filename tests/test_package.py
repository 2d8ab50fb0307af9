"""A package that installs: a wheel carries the built-in query templates and builds a
user's dashboards from outside the repository.

Slow on purpose (about five seconds: pip builds a wheel in an isolated environment,
which needs PyPI or pip's cache for setuptools, and installs it), so it is marked
`slow`; deselect with `-m "not slow"`.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.slow

USER_DASHBOARD = """
from generator.dashboard import Dashboard, Row
from generator.panels import http, latency
from generator.variables import datasource, service, upstream

CHECKOUT = Dashboard(
    uid="checkout-team",
    title="Checkout",
    variables=[datasource(), service(), upstream()],
    rows=[Row("In", [http.downstream_request_rate(), latency.upstream_latency()])],
)
"""


def _run(*args: str | Path, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    result = subprocess.run(
        [str(a) for a in args], cwd=cwd, env=env, capture_output=True, text=True, timeout=240
    )
    assert result.returncode == 0, (args, result.stdout[-2000:], result.stderr[-2000:])
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A wheel built by pip from a copy of the project's sources (not the shared tree)."""
    work = tmp_path_factory.mktemp("wheel")
    src = work / "src"
    skip = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("generator", "queries"):
        shutil.copytree(ROOT / name, src / name, symlinks=True, ignore=skip)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    _run(sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", work / "dist", src)
    (built,) = (work / "dist").glob("meshdash-*.whl")
    return built


def test_the_wheel_carries_every_query_template(wheel: Path) -> None:
    sources = {p.relative_to(ROOT / "queries").as_posix() for p in ROOT.glob("queries/**/*.j2")}
    with zipfile.ZipFile(wheel) as archive:
        shipped = {
            name.removeprefix("generator/_queries/")
            for name in archive.namelist()
            if name.startswith("generator/_queries/")
        }
    assert sources and shipped == sources


def test_an_installed_wheel_builds_a_users_dashboards(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run(sys.executable, "-m", "venv", "--without-pip", venv)
    python = venv / "bin" / "python"
    pip = (sys.executable, "-m", "pip", "--python", python)
    _run(*pip, "install", "-q", "--no-deps", "--no-index", wheel)
    # The dependencies come from the test's own environment (offline, fast); meshdash
    # itself must come from the wheel, which the first assertion checks.
    site = _run(python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])")
    deps = sysconfig.get_paths()["purelib"]
    (Path(site.stdout.strip()) / "meshdash-test-deps.pth").write_text(deps + "\n")
    # cwd outside the repository: `python -c` puts it first on sys.path
    where = _run(python, "-c", "import generator; print(generator.__file__)", cwd=tmp_path).stdout
    assert Path(where.strip()).is_relative_to(venv)

    project = tmp_path / "project"
    (project / "dashboards").mkdir(parents=True)
    (project / "dashboards" / "checkout.py").write_text(USER_DASHBOARD)
    _run(venv / "bin" / "meshdash", "build", cwd=project)

    built = project / "build" / "dashboards" / "checkout-team.json"
    data = json.loads(built.read_text())
    exprs = [t["expr"] for p in data["panels"] for t in p.get("targets", [])]
    assert len(exprs) == 4  # one inbound rate, three latency quantiles
    assert exprs[0].startswith("sum by (local_cluster, envoy_response_code_class) (rate(")
    assert all("histogram_quantile(" in e for e in exprs[1:])
    # Same bytes as the checkout builds from the same definition.
    checkout_meshdash = Path(sys.executable).parent / "meshdash"
    _run(checkout_meshdash, "build", "--out", tmp_path / "ref", cwd=project)
    assert built.read_text() == (tmp_path / "ref" / "checkout-team.json").read_text()
