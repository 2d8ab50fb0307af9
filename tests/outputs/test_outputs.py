"""What `meshdash build` leaves on disk: file modes, folder manifests, hand-written files."""

from __future__ import annotations

import json
import os
import shutil
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
import yaml

from tests.conftest import DASHBOARDS

OUTPUTS = {"--out": "out", "--provisioning": "prov", "--configmap": "maps"}


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


def _build_everything(run_cli, dashboards: Path, tmp_path: Path):
    """`build` into tmp_path/out, with --provisioning tmp_path/prov and --configmap tmp_path/maps."""
    outputs = [part for flag, name in OUTPUTS.items() for part in (flag, str(tmp_path / name))]
    return run_cli("build", "--dashboards", str(dashboards), *outputs)


@pytest.mark.parametrize(("mask", "mode"), [(0o022, 0o644), (0o027, 0o640)])
def test_every_output_file_gets_the_mode_cp_would_give(
    run_cli, shipped_dir, tmp_path, umask, mask, mode
):
    os.umask(mask)
    result = _build_everything(run_cli, shipped_dir, tmp_path)

    assert result.exit_code == 0, result.err
    modes = _modes(tmp_path)  # the three output folders, nothing else
    assert any(name.endswith(".json") for name in modes)
    assert "maps/kustomization.yaml" in modes
    assert {name: m for name, m in modes.items() if m != mode} == {}


HAND_WRITTEN = """apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
namespace: monitoring
resources:
- grafana-datasources.yaml
commonLabels:
  team: platform
"""


def _configmaps(run_cli, dashboards: Path, tmp_path: Path, maps: Path):
    out = tmp_path / "out"
    return run_cli(
        "build", "--dashboards", str(dashboards), "--out", str(out), "--configmap", str(maps)
    )


@pytest.fixture
def two_dashboards(tmp_path: Path) -> Path:
    """The shipped overview and service definitions, and no other."""
    folder = tmp_path / "dashboards"
    folder.mkdir()
    for name in ("overview.py", "service.py"):
        shutil.copyfile(DASHBOARDS / name, folder / name)
    return folder


def test_configmaps_merge_into_a_hand_written_kustomization(run_cli, two_dashboards, tmp_path):
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "kustomization.yaml").write_text(HAND_WRITTEN)

    first = _configmaps(run_cli, two_dashboards, tmp_path, maps)
    (two_dashboards / "overview.py").unlink()
    second = _configmaps(run_cli, two_dashboards, tmp_path, maps)

    assert first.exit_code == 0 and second.exit_code == 0, first.err + second.err
    merged = yaml.safe_load((maps / "kustomization.yaml").read_text())
    assert merged["namespace"] == "monitoring" and merged["commonLabels"] == {"team": "platform"}
    assert merged["resources"] == ["grafana-datasources.yaml", "meshdash-meshdash-service.yaml"]
    assert sorted(p.name for p in maps.glob("*.yaml")) == [
        "kustomization.yaml",
        "meshdash-meshdash-service.yaml",
    ]


def test_a_kustomization_already_listing_the_configmaps_is_left_byte_for_byte(
    run_cli, two_dashboards, tmp_path
):
    maps = tmp_path / "maps"
    assert _configmaps(run_cli, two_dashboards, tmp_path, maps).exit_code == 0
    commented = "# ours, reviewed by hand\n" + (maps / "kustomization.yaml").read_text()
    (maps / "kustomization.yaml").write_text(commented)

    assert _configmaps(run_cli, two_dashboards, tmp_path, maps).exit_code == 0

    assert (maps / "kustomization.yaml").read_text() == commented


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("# keep this\n" + HAND_WRITTEN, "has comments meshdash would lose"),
        ("- just\n- a list\n", "is not a Kustomization with a resources: list"),
        ("resources: [unclosed\n", "is not valid YAML"),
    ],
)
def test_a_kustomization_meshdash_cannot_merge_is_refused_before_writing(
    run_cli, two_dashboards, tmp_path, text, reason
):
    maps = tmp_path / "maps"
    maps.mkdir()
    (maps / "kustomization.yaml").write_text(text)

    result = _configmaps(run_cli, two_dashboards, tmp_path, maps)

    assert result.exit_code == 2
    (line,) = result.err.strip().splitlines()
    assert f"{maps / 'kustomization.yaml'} was not written by meshdash and {reason}" in line
    assert (maps / "kustomization.yaml").read_text() == text
    assert sorted(p.name for p in maps.iterdir()) == ["kustomization.yaml"]
    assert not (tmp_path / "out").exists()  # refused before the build wrote anything


FOREIGN = {
    "out": "out/meshdash-service.json",
    "provisioning": "prov/dashboards/Service Mesh/meshdash-service.json",
    "provider": "prov/provisioning/dashboards/meshdash.yaml",
    "configmap": "maps/meshdash-meshdash-service.yaml",
}


@pytest.mark.parametrize("where", sorted(FOREIGN))
def test_a_file_meshdash_did_not_write_is_never_overwritten(
    run_cli, shipped_dir, tmp_path, where
) -> None:
    theirs = tmp_path / FOREIGN[where]
    theirs.parent.mkdir(parents=True)
    theirs.write_text('{"title": "hand-made"}\n')
    result = _build_everything(run_cli, shipped_dir, tmp_path)

    assert result.exit_code == 2
    (line,) = result.err.strip().splitlines()
    assert f"{theirs} exists and meshdash did not write it" in line
    assert theirs.read_text() == '{"title": "hand-made"}\n'
    files = sorted(p for p in tmp_path.rglob("*") if p.is_file())
    assert files == [theirs]  # nothing else written


def test_files_of_a_build_before_manifests_are_still_replaced(
    run_cli, shipped_dir, tmp_path
) -> None:
    out = tmp_path / "out"
    assert run_cli("build", "--dashboards", str(shipped_dir), "--out", str(out)).exit_code == 0
    (out / ".meshdash-manifest").unlink()
    (out / ".meshdash-build-cache").unlink()
    old = out / "meshdash-service.json"
    old.write_text(old.read_text().replace('"title": "Service', '"title": "Old service'))

    result = run_cli("build", "--dashboards", str(shipped_dir), "--out", str(out))

    assert result.exit_code == 0, result.err
    assert f"wrote     {old}" in result.out and "Old service" not in old.read_text()


@pytest.mark.parametrize(
    "entries",
    [
        {},
        {"b.json": (None, "ab12"), "a.json": ('Team/Sub "quoted" é', "cd34")},
        {"Team/ü\\x.json": ("", "ef56"), "z.json": ("Z", "00")},
    ],
)
def test_the_manifest_is_the_sorted_indented_json_of_its_record(entries) -> None:
    from generator.outputs.manifest import Entry, manifest_text

    record = {
        "generator": "meshdash",
        "version": 1,
        "files": {name: {"folder": f, "sha256": h} for name, (f, h) in entries.items()},
    }
    expected = json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False) + "\n"

    assert manifest_text({n: Entry(f, h) for n, (f, h) in entries.items()}) == expected
