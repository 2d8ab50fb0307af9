"""Provisioning files and ConfigMaps (generator/outputs/deliver.py), and pushing the shipped build."""

from __future__ import annotations

import json

import pytest
import yaml
from grafana_testdata import holds_build, summary_counts

from generator.errors import OutputError
from generator.grafana.folders import folder_uid
from generator.outputs.built import BuiltDashboard
from generator.outputs.deliver import (
    configmap_document,
    configmap_name,
    write_configmaps,
    write_provisioning,
)
from generator.outputs.manifest import MANIFEST_NAME


def test_provisioning_provider_and_files_match_the_build(shipped, tmp_path):
    written = write_provisioning(shipped, tmp_path, grafana_path="/etc/dash")

    provider = yaml.safe_load((tmp_path / "provisioning/dashboards/meshdash.yaml").read_text())
    assert provider["apiVersion"] == 1
    (entry,) = provider["providers"]
    assert entry["type"] == "file" and entry["options"]["path"] == "/etc/dash"
    assert entry["options"]["foldersFromFilesStructure"] is True and "folder" not in entry
    for item in shipped:
        path = tmp_path / "dashboards" / (item.folder or "") / f"{item.uid}.json"
        assert path in written
        assert json.loads(path.read_text()) == item.data
    assert not list(tmp_path.rglob("*.tmp"))


def test_provisioning_into_one_folder_is_flat(shipped, tmp_path):
    write_provisioning(shipped, tmp_path, folder="Mesh")

    (entry,) = yaml.safe_load((tmp_path / "provisioning/dashboards/meshdash.yaml").read_text())[
        "providers"
    ]
    assert entry["folder"] == "Mesh" and entry["options"]["foldersFromFilesStructure"] is False
    assert sorted(p.name for p in (tmp_path / "dashboards").iterdir()) == sorted(
        [MANIFEST_NAME, *(f"{item.uid}.json" for item in shipped)]
    )


def test_provisioning_removes_only_its_own_stale_files(shipped, tmp_path):
    root = tmp_path / "dashboards"
    gone = BuiltDashboard("gone", "Gone", "Old/Team", tmp_path / "gone.py", {"uid": "gone"})
    write_provisioning([*shipped, gone], tmp_path)
    assert (root / "Old/Team/gone.json").exists()
    (root / "theirs.json").write_text(json.dumps({"uid": "theirs", "tags": ["team"]}))
    (root / "copied.json").write_text(shipped[0].text())  # meshdash's JSON, not written here

    write_provisioning(shipped, tmp_path)

    assert not (root / "Old/Team/gone.json").exists()
    assert (root / "theirs.json").exists() and (root / "copied.json").exists()


def test_configmaps_are_labelled_for_the_sidecar_and_embed_the_build(shipped, tmp_path):
    written = write_configmaps(shipped, tmp_path, namespace="monitoring")

    for item in shipped:
        path = tmp_path / f"{configmap_name(item.uid)}.yaml"
        text = path.read_text()
        doc = yaml.safe_load(text)
        assert doc["kind"] == "ConfigMap" and doc["apiVersion"] == "v1"
        assert doc["metadata"]["labels"]["grafana_dashboard"] == "1"
        assert doc["metadata"]["namespace"] == "monitoring"
        assert doc["metadata"].get("annotations", {}).get("grafana_folder") == item.folder
        assert doc["data"][f"{item.uid}.json"] == item.text()
        assert json.loads(doc["data"][f"{item.uid}.json"]) == item.data
        assert f"{item.uid}.json: |" in text
    kustomization = yaml.safe_load((tmp_path / "kustomization.yaml").read_text())
    configmaps = [p.name for p in written if p.name.startswith("meshdash-")]
    assert len(configmaps) == len(shipped)
    assert kustomization["resources"] == sorted(configmaps)


@pytest.mark.parametrize(
    ("uid", "name"),
    [
        ("meshdash-service", "meshdash-meshdash-service"),
        ("Envoy_Upstream", "meshdash-envoy-upstream"),
        ("a" * 40, "meshdash-" + "a" * 40),
    ],
)
def test_configmap_names_are_valid_kubernetes_names(uid, name):
    assert configmap_name(uid) == name
    assert len(name) <= 63


def test_dashboard_too_big_for_a_configmap_is_an_output_error(tmp_path):
    huge = BuiltDashboard("big", "Big", None, tmp_path / "big.py", {"x": "y" * (1024 * 1024)})
    with pytest.raises(OutputError, match=r"'big'.*1 MiB"):
        configmap_document(huge)


def test_push_of_the_shipped_build_creates_then_writes_nothing(
    meshdash, grafana, shipped, shipped_dir
):
    first = meshdash("push", "--dashboards", str(shipped_dir))

    assert first.code == 0, first.out + first.err
    assert summary_counts(first.out)["created"] == len(shipped)
    for item in shipped:
        stored = grafana.dashboards[item.uid]
        assert stored.folder_uid == (folder_uid(item.folder) if item.folder else "")
        assert holds_build(stored, item.data)
    writes = grafana.writes

    second = meshdash("push", "--dashboards", str(shipped_dir))

    assert second.code == 0 and grafana.writes == writes
    assert summary_counts(second.out)["unchanged"] == len(shipped)


def test_push_without_flags_builds_the_configured_dashboards(
    meshdash, grafana, shipped, shipped_dir, tmp_path
):
    dashboards = shipped_dir.as_posix()
    (tmp_path / "pyproject.toml").write_text(f'[tool.meshdash]\ndashboards = "{dashboards}"\n')

    run = meshdash("push", "--dry-run")

    assert run.code == 0, run.err
    assert run.out.count("  create    meshdash-") == len(shipped)
    assert grafana.writes == 0


def test_build_flags_write_provisioning_and_configmaps_equal_to_the_json(
    meshdash, shipped_dir, tmp_path
):
    out, prov, maps = tmp_path / "out", tmp_path / "prov", tmp_path / "maps"
    dashboards = str(shipped_dir)

    run = meshdash(
        "build",
        "--dashboards",
        dashboards,
        "--out",
        str(out),
        "--provisioning",
        str(prov),
        "--configmap",
        str(maps),
    )

    assert run.code == 0, run.err
    built_files = sorted(out.glob("*.json"))
    assert built_files
    for path in built_files:
        provisioned = next(prov.rglob(path.name))
        assert provisioned.read_text() == path.read_text()
        (configmap,) = [
            doc
            for doc in (yaml.safe_load(p.read_text()) for p in maps.glob("meshdash-*.yaml"))
            if path.name in doc["data"]
        ]
        assert configmap["data"][path.name] == path.read_text()
