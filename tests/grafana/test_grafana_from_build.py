"""`push --from` built files places every dashboard where a push from the definitions does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from grafana_testdata import ADMIN_TOKEN
from standin import GrafanaStandIn

from generator.errors import ConfigError
from generator.grafana.source import from_files

DEFINITION = """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

D = Dashboard(uid={uid!r}, title={title!r}, folder={folder!r},
              variables=[datasource(), service()],
              rows=[Row("r", [http.downstream_request_rate()])])
"""
FOLDERS = {
    "payments": "Payments",
    "mesh": "Platform/Service Mesh",
    "top": None,
    "general": "General",
}


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    directory = tmp_path / "dashboards"
    directory.mkdir()
    for uid, folder in FOLDERS.items():
        text = DEFINITION.format(uid=uid, title=f"Team {uid}", folder=folder)
        (directory / f"{uid}.py").write_text(text)
    return directory


@pytest.fixture
def second_grafana() -> Iterator[GrafanaStandIn]:
    standin = GrafanaStandIn(tokens={ADMIN_TOKEN: "Admin"})
    standin.start()
    yield standin
    standin.stop()


def _placement(grafana: GrafanaStandIn) -> dict[str, Any]:
    """Each dashboard's folder, and each folder's title and parent."""
    folders = {
        uid: (record["title"], record.get("parentUid")) for uid, record in grafana.folders.items()
    }
    return {"dashboards": {u: s.folder_uid for u, s in grafana.dashboards.items()}, **folders}


@pytest.mark.parametrize("source", ["build/dashboards", "build", "prov/dashboards", "prov"])
def test_push_from_built_files_lands_where_a_push_from_definitions_does(
    meshdash, grafana, second_grafana, definitions, tmp_path, source
):
    out = tmp_path / "build" / "dashboards"
    built = meshdash(
        "build",
        "--dashboards",
        str(definitions),
        "--out",
        str(out),
        "--provisioning",
        str(tmp_path / "prov"),
    )
    assert built.code == 0, built.err
    assert meshdash("push", "--dashboards", str(definitions)).code == 0
    expected = _placement(grafana)
    assert set(expected["dashboards"].values()) > {""}  # the case has folders to get right

    run = meshdash("push", "--from", str(tmp_path / source), "--url", second_grafana.url)

    assert run.code == 0, run.out + run.err
    assert _placement(second_grafana) == expected


def test_from_a_folder_without_manifest_names_the_file_and_the_fix(meshdash, grafana, tmp_path):
    loose = tmp_path / "exported"
    loose.mkdir()
    (loose / "a.json").write_text(json.dumps({"uid": "a", "title": "A", "tags": ["meshdash"]}))

    run = meshdash("push", "--from", str(loose))

    assert run.code == 2 and grafana.writes == 0
    (line,) = run.err.strip().splitlines()
    assert f"{loose / 'a.json'}: no folder known" in line and "--folder" in line
    assert meshdash("push", "--from", str(loose), "--folder", "General").code == 0
    assert grafana.dashboards["a"].folder_uid == ""


def test_a_stale_manifest_entry_is_gone_after_the_next_build(meshdash, definitions, tmp_path):
    out = tmp_path / "out"
    assert meshdash("build", "--dashboards", str(definitions), "--out", str(out)).code == 0
    (definitions / "payments.py").unlink()

    assert meshdash("build", "--dashboards", str(definitions), "--out", str(out)).code == 0

    manifest = json.loads((out / ".meshdash-manifest").read_text())
    assert sorted(manifest["files"]) == ["general.json", "mesh.json", "top.json"]
    assert manifest["files"]["mesh.json"]["folder"] == "Platform/Service Mesh"
    assert not (out / "payments.json").exists()


def test_from_a_built_file_names_the_folder_to_give_instead(tmp_path):
    """`--from build/dashboards/x.json` is not "missing": it says which folder to pass."""
    built = tmp_path / "build" / "dashboards"
    built.mkdir(parents=True)
    (built / "x.json").write_text(json.dumps({"uid": "x", "title": "X"}))

    with pytest.raises(ConfigError) as caught:
        from_files(built / "x.json")

    assert str(caught.value) == (
        f"{built / 'x.json'} is a file; give the folder it is in ({built}): push reads a "
        "build's folder with its manifest"
    )
    assert caught.value.setting == "from_dir"  # `meshdash push` adds "(--from)"
    with pytest.raises(ConfigError, match="is not a folder; run `meshdash build` first"):
        from_files(tmp_path / "nothing-built")
