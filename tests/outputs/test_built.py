"""One dashboard value from build to push: `push --from` reads built files into the build's value."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import DefinitionError
from generator.grafana.source import from_built, from_files
from generator.outputs.build import build_dashboards
from generator.outputs.built import BuiltDashboard
from tests.conftest import SHIPPED_UIDS, copy_shipped

NESTED = """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

D = Dashboard(uid="nested", title="Nested", folder="Platform/Service Mesh",
              variables=[datasource(), service()],
              rows=[Row("r", [http.downstream_request_rate()])])
"""


@pytest.fixture
def definitions(tmp_path: Path) -> Path:
    """The shipped definitions and one dashboard in a nested folder."""
    directory = copy_shipped(tmp_path / "dashboards")
    (directory / "nested.py").write_text(NESTED)
    return directory


def _by_uid(items: list[BuiltDashboard]) -> dict[str, BuiltDashboard]:
    return {item.uid: item for item in items}


def test_the_value_build_writes_is_the_value_push_from_reads(run_cli, definitions, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", "--dashboards", str(definitions), "--out", str(out)).exit_code == 0
    built = _by_uid(build_dashboards(definitions))
    read = _by_uid(from_files(out))
    assert set(read) == {*SHIPPED_UIDS, "nested"}
    assert read["nested"].folder == "Platform/Service Mesh"
    for uid, item in read.items():
        assert type(item) is BuiltDashboard
        assert item == built[uid]
        assert (item.title, item.folder, item.data) == (
            built[uid].title,
            built[uid].folder,
            built[uid].data,
        )
        assert item.source == out / f"{uid}.json"
        assert item.fingerprint == built[uid].fingerprint


def test_folder_override_is_the_same_for_a_build_and_its_files(run_cli, definitions, tmp_path):
    out = tmp_path / "out"
    assert run_cli("build", "--dashboards", str(definitions), "--out", str(out)).exit_code == 0
    read = _by_uid(from_files(out, "Elsewhere"))
    built = _by_uid(from_built(build_dashboards(definitions), "Elsewhere"))
    assert read == built
    assert {item.folder for item in read.values()} == {"Elsewhere"}


def test_a_value_differs_when_its_folder_or_content_does(tmp_path):
    item = BuiltDashboard("u", "T", "A", tmp_path / "u.py", {"uid": "u", "title": "T"})
    assert item == BuiltDashboard("u", "T", "A", tmp_path / "other.json", dict(item.data))
    assert item.placed_in("B") != item
    assert item.placed_in(None) is item
    assert BuiltDashboard("u", "T", "A", item.source, {"uid": "u", "title": "X"}) != item


@pytest.mark.parametrize("text", ['["a list"]', '{"uid": "u"}', '{"title": "t"}', '"text"'])
def test_a_file_without_uid_and_title_is_one_line_naming_it(tmp_path, text):
    (tmp_path / "Team").mkdir()
    path = tmp_path / "Team" / "bad.json"
    path.write_text(text)
    with pytest.raises(DefinitionError, match=rf"^{path}: a dashboard needs a 'uid' and a 'title'"):
        from_files(tmp_path)
