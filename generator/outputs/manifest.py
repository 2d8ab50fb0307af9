"""The record meshdash keeps in each folder it writes: its files, and each dashboard's folder.

``.meshdash-manifest`` (JSON, sorted keys, written atomically) sits beside the outputs::

    {"generator": "meshdash", "version": 1,
     "files": {"payments-team.json": {"folder": "Payments", "sha256": "9f2c..."}}}

Keys are paths relative to the manifest's folder. It serves two purposes:

- ``push --from DIR`` reads each dashboard's Grafana folder from it: Grafana's dashboard
  schema has no key for the folder, so the built JSON cannot carry it.
- Removing stale outputs (:class:`ManagedFolder`, the one routine of every writer): only
  a file the previous manifest lists, still with the hash meshdash wrote, is meshdash's
  to remove; anything else in the folder is left alone.

Light on imports: ``push --from`` reads it without loading the build.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from generator.errors import ConfigError, OutputError
from generator.outputs.files import write_atomic

MANIFEST_NAME = ".meshdash-manifest"
_VERSION = 1


@dataclass(frozen=True)
class Entry:
    """One file meshdash wrote: the Grafana folder of its dashboard and its content hash."""

    folder: str | None
    sha256: str


def entry(text: str, folder: str | None) -> Entry:
    return Entry(folder=folder, sha256=_sha256(text))


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def manifest_text(entries: Mapping[str, Entry]) -> str:
    """The bytes of ``json.dumps(record, sort_keys=True, indent=1, ensure_ascii=False)``.

    Made one string per file: json's indenting encoder would hold a dozen small
    strings per file at once, most of a 10,000-dashboard build's peak memory.
    """
    quote = partial(json.dumps, ensure_ascii=False)
    files = ",\n".join(
        f'  {quote(name)}: {{\n   "folder": {quote(entries[name].folder)},\n'
        f'   "sha256": {quote(entries[name].sha256)}\n  }}'
        for name in sorted(entries)
    )
    files = f"{{\n{files}\n }}" if files else "{}"
    return f'{{\n "files": {files},\n "generator": "meshdash",\n "version": {_VERSION}\n}}\n'


def read_manifest(directory: Path) -> dict[str, Entry] | None:
    """The entries of ``directory``'s manifest; None when it has none."""
    path = directory / MANIFEST_NAME
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError:
        record = None
    files = record.get("files") if isinstance(record, dict) else None
    if not isinstance(files, dict) or not all(_valid(n, v) for n, v in files.items()):
        raise ConfigError(
            f"{path} is not a meshdash manifest; delete it and run `meshdash build` again"
        )
    return {name: Entry(value["folder"], value["sha256"]) for name, value in files.items()}


def _valid(name: str, value: object) -> bool:
    relative = Path(name)
    return (
        not relative.is_absolute()
        and ".." not in relative.parts
        and isinstance(value, dict)
        and isinstance(value.get("sha256"), str)
        and isinstance(value.get("folder"), str | None)
    )


class ManagedFolder:
    """A folder meshdash writes into, and what it wrote there last time (its manifest).

    The one set of rules for every writer (the build's outputs, provisioning files,
    ConfigMaps): a file the manifest lists, or that ``built_by_meshdash`` recognises
    (folders written before manifests), is meshdash's to overwrite; a file the manifest
    lists, no longer written and unchanged since, is stale and removed; anything else
    in the folder is never touched.
    """

    def __init__(self, directory: Path, built_by_meshdash: Callable[[Path], bool]) -> None:
        self.directory = directory
        self.previous = read_manifest(directory) if directory.is_dir() else None
        self._built_by_meshdash = built_by_meshdash

    def refuse_foreign(self, names: Iterable[str]) -> None:
        """Refuse, before anything is written, to overwrite a file meshdash did not write."""
        refuse_foreign(self.directory, self.previous, names, self._built_by_meshdash)

    def stale(self, keep: Iterable[str]) -> list[Path]:
        """Files the previous manifest lists, not in ``keep``, still as meshdash wrote them."""
        kept = set(keep)
        return [
            self.directory / name
            for name, item in sorted((self.previous or {}).items())
            if name not in kept and file_hash(self.directory / name) == item.sha256
        ]

    def finish(self, entries: Mapping[str, Entry]) -> list[Path]:
        """Remove the stale files, record ``entries`` as the manifest; the removed paths."""
        stale = self.stale(entries)
        for path in stale:
            try:
                path.unlink()
            except FileNotFoundError:
                continue
            except OSError as exc:
                raise OutputError(f"cannot remove stale {path}: {exc.strerror}") from None
        text = manifest_text(entries)
        if file_hash(self.directory / MANIFEST_NAME) != _sha256(text):
            write_atomic(self.directory / MANIFEST_NAME, text)
        return stale


def refuse_foreign(
    directory: Path,
    previous: Mapping[str, Entry] | None,
    names: Iterable[str],
    built_by_meshdash: Callable[[Path], bool],
) -> None:
    """Refuse, before anything is written, to overwrite a file meshdash did not write.

    A file counts as meshdash's when ``previous`` (the manifest) lists it, or, for folders
    written before manifests existed, when ``built_by_meshdash`` recognises its content.
    """
    for name in names:
        path = directory / name
        if name in (previous or {}) or not path.exists() or built_by_meshdash(path):
            continue
        raise OutputError(
            f"{path} exists and meshdash did not write it; move it away or choose another "
            "output folder (meshdash never overwrites a file it did not write)"
        )


def file_hash(path: Path) -> str | None:
    """The sha256 of a file's bytes; None when it cannot be read."""
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None
