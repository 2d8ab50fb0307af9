"""Where the dashboards to publish come from: a fresh build, or JSON files on disk.

With ``--from DIR`` every ``*.json`` under DIR is one dashboard. Its folder is the one
the nearest ``.meshdash-manifest`` listing it records (``meshdash build`` writes one
beside its outputs; generator.outputs.manifest), so a push from built files places every
dashboard where a push from the definitions would. A file no manifest lists belongs in
its subfolder's path (``DIR/Platform/Service Mesh/x.json``), the convention of
Grafana's ``foldersFromFilesStructure``; one at the top of DIR is an error, since
nothing says where it goes. ``--folder`` overrides the folder of every dashboard.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from generator.errors import ConfigError, DefinitionError, DuplicateUidError
from generator.outputs.built import BuiltDashboard
from generator.outputs.manifest import MANIFEST_NAME, Entry, read_manifest


def from_built(built: Sequence[BuiltDashboard], folder: str | None = None) -> list[BuiltDashboard]:
    """The dashboards of a build; ``folder`` (``--folder``) overrides their own folder."""
    return [item.placed_in(folder) for item in built]


def from_files(directory: Path, folder: str | None = None) -> list[BuiltDashboard]:
    """Read every ``*.json`` under ``directory`` into the value a build makes."""
    if directory.is_file():
        raise ConfigError(
            f"{directory} is a file; give the folder it is in ({directory.parent}): push "
            "reads a build's folder with its manifest",
            setting="from_dir",
        )
    if not directory.is_dir():
        raise ConfigError(
            f"{directory} is not a folder; run `meshdash build` first", setting="from_dir"
        )
    found: dict[str, BuiltDashboard] = {}
    manifests = _Manifests(directory)
    for path in sorted(directory.rglob("*.json"), key=_path_key):
        where = folder if folder is not None else manifests.folder_of(path)
        want = _read_dashboard(path, where)
        if want.uid in found:
            raise DuplicateUidError(
                f"{path}: uid {want.uid!r} is also used by {found[want.uid].source}; "
                "give each dashboard its own uid"
            )
        found[want.uid] = want
    if not found:
        raise ConfigError(f"{directory} holds no *.json dashboards", setting="from_dir")
    return list(found.values())


class _Manifests:
    """The folder of each file: from the nearest manifest listing it, else its subfolder."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._read: dict[Path, dict[str, Entry] | None] = {}

    def folder_of(self, path: Path) -> str | None:
        directory, name = path.parent, path.name
        while True:
            entries = self._entries(directory)
            if entries is not None and name in entries:
                return entries[name].folder
            if directory == self.root:
                break
            directory, name = directory.parent, f"{directory.name}/{name}"
        if path.parent != self.root:
            return path.parent.relative_to(self.root).as_posix()
        raise ConfigError(
            f"{path}: no folder known for this dashboard ({self.root / MANIFEST_NAME} does not "
            "list it and its JSON cannot say); write it with `meshdash build --out "
            f"{self.root}`, put it in a subfolder named after its folder, or name the folder "
            "for all of them ('General' for the top level)",
            setting="folder",
        )

    def _entries(self, directory: Path) -> dict[str, Entry] | None:
        if directory not in self._read:
            self._read[directory] = read_manifest(directory)
        return self._read[directory]


def _path_key(path: Path) -> tuple[str, ...]:
    """The order of ``sorted(paths)``, compared in C rather than by ``Path.__lt__`` calls."""
    return path.parts


def _read_dashboard(path: Path, folder: str | None) -> BuiltDashboard:
    built: BuiltDashboard | None
    try:
        built = BuiltDashboard.from_text(path.read_text(encoding="utf-8"), folder, path)
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise DefinitionError(f"{path}: not valid JSON ({exc})") from None
    except (KeyError, TypeError):  # not an object, or no uid or title
        built = None
    if built is None or not built.data.get("uid") or not built.data.get("title"):
        raise DefinitionError(f"{path}: a dashboard needs a 'uid' and a 'title' at the top")
    return built
