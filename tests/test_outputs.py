"""What `meshdash build` leaves on disk: file modes, folder manifests, hand-written files."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import DASHBOARDS


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0o022)
    yield
    os.umask(previous)


def _modes(root: Path) -> dict[str, int]:
    return {
        str(path.relative_to(root)): stat.S_IMODE(path.stat().st_mode)
        for path in root.rglob("*")
        if path.is_file()
    }


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_every_output_file_gets_the_mode_cp_would_give(run_cli, tmp_path, umask, mask, mode):
    os.umask(mask)
    out, prov, maps = tmp_path / "out", tmp_path / "prov", tmp_path / "maps"

    result = run_cli(
        "build",
        "--dashboards",
        str(DASHBOARDS),
        "--out",
        str(out),
        "--provisioning",
        str(prov),
        "--configmap",
        str(maps),
    )

    assert result.exit_code == 0, result.err
    modes = {**_modes(out), **{f"prov/{k}": v for k, v in _modes(prov).items()}}
    modes.update({f"maps/{k}": v for k, v in _modes(maps).items()})
    assert any(name.endswith(".json") for name in modes)
    assert "maps/kustomization.yaml" in modes
    assert {name: m for name, m in modes.items() if m != mode} == {}
