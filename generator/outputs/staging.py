"""The output folder of `meshdash build`: one `<uid>.json` per dashboard and a manifest.

Dashboards arrive one at a time (generator.outputs.build.iter_built) and are not kept in
memory. "Nothing written on error" still holds: each file whose text changed is
written into a private staging folder inside the output folder
(`.meshdash-staging/`, names ending `.staged`, so nothing that reads `*.json` picks
them up) by a thread of its own (generator.outputs.writer) while the next dashboard
renders, and only when every definition has loaded, passed the checks and
rendered are the staged files renamed over the outputs. A build that fails on
file N removes the staging folder and leaves the outputs exactly as they were.
Each rename replaces a whole file, so a reader never sees half a file; the folder's
manifest (generator.outputs.manifest) is written last. `check_outputs` serves the CI drift
check (`meshdash build --check`), streaming the same way.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import overload

from generator.errors import OutputError
from generator.outputs.built import BuiltDashboard, is_built_dashboard
from generator.outputs.files import prepare_output_dir
from generator.outputs.manifest import MANIFEST_NAME, Entry, ManagedFolder, manifest_text
from generator.outputs.writer import FileWriter

STAGING_NAME = ".meshdash-staging"
STAGED_SUFFIX = ".staged"


@dataclass(frozen=True, slots=True)
class Output:
    """What a build keeps of a dashboard once its file is staged: no JSON, a few names.

    10,000 of these stay alive until the end of a build, so they are small.
    """

    uid: str
    folder: str | None
    source: str
    sha256: str
    changed: bool

    @property
    def filename(self) -> str:
        return f"{self.uid}.json"


#: (path, "wrote"|"unchanged"|"removed") for each file, as the commit goes
Report = Callable[[str, str], None]


class StagedOutputs:
    """Dashboards staged for `out_dir`; `commit` puts them in place, `discard` forgets them."""

    def __init__(self, out_dir: Path) -> None:
        self._created = not out_dir.exists()
        prepare_output_dir(out_dir, setting="out_dir")
        self.out_dir = out_dir
        # Plain strings: a Path per dashboard would intern its name for good.
        self._out = str(out_dir)
        self._staging = os.path.join(self._out, STAGING_NAME)
        # A build killed half-way leaves its staging folder behind; it only ever holds copies.
        shutil.rmtree(self._staging, ignore_errors=True)
        try:
            os.mkdir(self._staging)
        except OSError as exc:
            raise OutputError(f"cannot create {self._staging}: {exc.strerror}") from None
        self.outputs: list[Output] = []
        self.committed = False
        self._writer = FileWriter()
        # What the folder held: a file not in it is new without asking the disk (a failed
        # open per dashboard). One that appears meanwhile is met by commit's foreign check.
        self._present = frozenset(os.listdir(self._out))

    def add(self, item: BuiltDashboard) -> None:
        data = item.text().encode("utf-8")
        path = os.path.join(self._out, item.filename)
        changed = item.filename not in self._present or _read_bytes(path) != data
        if changed:
            self._writer.write(self._staged(item.filename), data, path)
        digest = hashlib.sha256(data).hexdigest()
        self.outputs.append(Output(item.uid, item.folder, str(item.source), digest, changed))

    def entries(self) -> dict[str, Entry]:
        """The manifest of the output folder: each file with its dashboard's folder."""
        return {out.filename: Entry(out.folder, out.sha256) for out in self.outputs}

    def dashboards(self) -> Sequence[BuiltDashboard]:
        """The staged dashboards, each read back from its file when asked for."""
        self._writer.drain()
        return _ReadBack(self.outputs, self._where)

    def _staged(self, filename: str) -> str:
        return os.path.join(self._staging, filename + STAGED_SUFFIX)

    def _where(self, out: Output) -> str:
        if out.changed and not self.committed:
            return self._staged(out.filename)
        return os.path.join(self._out, out.filename)

    def commit(self, report: Report = lambda path, state: None) -> None:
        """Put every changed file in place, remove meshdash's stale files, write the manifest."""
        self._writer.finish()
        folder = ManagedFolder(self.out_dir, is_built_dashboard)
        folder.refuse_foreign(out.filename for out in self.outputs)
        for out in self.outputs:
            path = os.path.join(self._out, out.filename)
            if out.changed:
                _rename(self._staged(out.filename), path)
            report(path, "wrote" if out.changed else "unchanged")
        self.committed = True
        for gone in folder.finish(self.entries()):
            report(str(gone), "removed")
        self.discard()

    def discard(self) -> None:
        """Remove the staging folder, and the output folder if this build made it for nothing."""
        self._writer.close()
        shutil.rmtree(self._staging, ignore_errors=True)
        if self._created and not self.committed:
            shutil.rmtree(self.out_dir, ignore_errors=True)


def check_outputs(built: Iterable[BuiltDashboard], out_dir: Path) -> tuple[int, list[str]]:
    """How many dashboards were built, and what differs in `out_dir`, one line per file."""
    problems = []
    entries: dict[str, Entry] = {}
    for item in built:
        path = out_dir / item.filename
        text = item.text()
        current = _read_bytes(path)
        if current is None:
            problems.append(f"{path}: missing (dashboard {item.uid!r} from {item.source})")
        elif current != text.encode("utf-8"):
            problems.append(f"{path}: differs from a fresh build of {item.source}")
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        entries[item.filename] = Entry(item.folder, digest)
    manifest = _read_bytes(out_dir / MANIFEST_NAME)
    if manifest != manifest_text(entries).encode("utf-8"):
        state = "missing" if manifest is None else "differs from a fresh build"
        problems.append(
            f"{out_dir / MANIFEST_NAME}: {state} (the folders `meshdash push --from` reads)"
        )
    stale = ManagedFolder(out_dir, is_built_dashboard).stale(entries)
    problems.extend(f"{path}: stale, no dashboard defines it" for path in stale)
    return len(entries), problems


class _ReadBack(Sequence[BuiltDashboard]):
    """Staged dashboards as BuiltDashboard values, each read from disk when asked for."""

    def __init__(self, outputs: list[Output], where: Callable[[Output], str]) -> None:
        self._outputs = outputs
        self._where = where

    def __len__(self) -> int:
        return len(self._outputs)

    @overload
    def __getitem__(self, index: int) -> BuiltDashboard: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[BuiltDashboard]: ...

    def __getitem__(self, index: int | slice) -> BuiltDashboard | Sequence[BuiltDashboard]:
        if isinstance(index, slice):
            return [self[i] for i in range(len(self))[index]]
        out = self._outputs[index]
        path = self._where(out)
        text = _read_bytes(path)
        if text is None:
            raise OutputError(f"{path} disappeared while meshdash was writing it")
        return BuiltDashboard.from_text(text.decode("utf-8"), out.folder, Path(out.source))

    def __iter__(self) -> Iterator[BuiltDashboard]:
        return (self[i] for i in range(len(self)))


def _rename(staged: str, path: str) -> None:
    try:
        os.replace(staged, path)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None


def _read_bytes(path: str | Path) -> bytes | None:
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror}") from None
