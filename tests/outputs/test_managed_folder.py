"""One stale-output routine: the build's outputs, provisioning and ConfigMaps follow the same rules.

Each writer wrote dashboards a, b and c; c's file was then edited by hand and a foreign
file put beside them. A second run with only `a` removes b (meshdash's, unchanged), keeps
c (edited since) and the foreign file, and refuses to overwrite a foreign file in its way.
"""

from __future__ import annotations

import weakref
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest

from generator.errors import OutputError
from generator.outputs.built import BuiltDashboard
from generator.outputs.deliver import configmap_name, write_configmaps, write_provisioning
from generator.outputs.manifest import read_manifest
from generator.outputs.staging import StagedOutputs


def _build(built: Sequence[BuiltDashboard], out: Path) -> None:
    staged = StagedOutputs(out)
    try:
        for item in built:
            staged.add(item)
        staged.commit()
    finally:
        staged.discard()


@dataclass(frozen=True)
class Writer:
    write: Callable[[Sequence[BuiltDashboard], Path], object]
    folder: Callable[[Path], Path]  # where the dashboards' files and the manifest are
    name: Callable[[str], str]  # a dashboard's file name there, by uid
    foreign: str  # a file that is not meshdash's, of the kind the writer writes


WRITERS = {
    "build": Writer(_build, lambda out: out, lambda uid: f"{uid}.json", '{"uid": "x"}\n'),
    "provisioning": Writer(
        write_provisioning, lambda out: out / "dashboards", lambda uid: f"{uid}.json", "{}\n"
    ),
    "configmaps": Writer(
        write_configmaps,
        lambda out: out,
        lambda uid: f"{configmap_name(uid)}.yaml",
        "kind: ConfigMap\nmetadata: {name: mine}\n",
    ),
}


def _dashboard(uid: str, tmp_path: Path) -> BuiltDashboard:
    data = {"uid": uid, "title": uid.upper(), "tags": ["meshdash"], "panels": []}
    return BuiltDashboard(uid, uid.upper(), None, tmp_path / f"{uid}.py", data)


@pytest.mark.parametrize("kind", WRITERS)
def test_stale_files_go_edited_and_foreign_files_stay(kind, tmp_path):
    writer = WRITERS[kind]
    out = tmp_path / "out"
    writer.write([_dashboard(uid, tmp_path) for uid in "abc"], out)
    folder = writer.folder(out)
    edited = folder / writer.name("c")
    edited.write_text(edited.read_text() + "\n# edited by hand\n")
    foreign = folder / f"notes{Path(writer.name('x')).suffix}"
    foreign.write_text(writer.foreign)

    writer.write([_dashboard("a", tmp_path)], out)

    assert (folder / writer.name("a")).is_file()
    assert not (folder / writer.name("b")).exists()
    assert edited.read_text().endswith("# edited by hand\n")
    assert foreign.read_text() == writer.foreign
    assert set(read_manifest(folder) or {}) == {writer.name("a")}


@pytest.mark.parametrize("kind", WRITERS)
def test_a_foreign_file_in_the_way_is_refused_and_kept(kind, tmp_path):
    writer = WRITERS[kind]
    out = tmp_path / "out"
    writer.write([_dashboard("a", tmp_path)], out)
    in_the_way = writer.folder(out) / writer.name("x")
    in_the_way.write_text(writer.foreign)

    with pytest.raises(OutputError, match=rf"^{in_the_way} exists and meshdash did not write it"):
        writer.write([_dashboard("a", tmp_path), _dashboard("x", tmp_path)], out)
    assert in_the_way.read_text() == writer.foreign
    assert set(read_manifest(writer.folder(out)) or {}) == {writer.name("a")}


class _Counted(Sequence[BuiltDashboard]):
    """Dashboards made afresh when asked for (as a build's are read back from their files).

    `most_alive` is the most of them alive at once while a writer went through them.
    """

    def __init__(self, count: int, tmp_path: Path) -> None:
        self._uids = [f"d{i:03}" for i in range(count)]
        self._tmp_path = tmp_path
        self._alive: list[weakref.ref[BuiltDashboard]] = []
        self.most_alive = 0

    def __len__(self) -> int:
        return len(self._uids)

    def __getitem__(self, index):  # type: ignore[no-untyped-def,override]
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        item = _dashboard(self._uids[index], self._tmp_path)
        self._alive = [ref for ref in self._alive if ref() is not None] + [weakref.ref(item)]
        self.most_alive = max(self.most_alive, len(self._alive))
        return item


@pytest.mark.parametrize("kind", ["provisioning", "configmaps"])
def test_delivery_holds_one_dashboard_at_a_time(kind, tmp_path):
    dashboards = _Counted(40, tmp_path)
    WRITERS[kind].write(dashboards, tmp_path / "out")
    assert len(read_manifest(WRITERS[kind].folder(tmp_path / "out")) or {}) == 40
    assert dashboards.most_alive <= 2
