"""Skip a rebuild when nothing the build depends on has changed.

A build depends on every file of the dashboards folder (definitions, the helpers
and data they read), every query template folder, meshdash's own sources and the
versions of Python and the libraries that shape the JSON. Their fingerprint is
kept beside the outputs in `.meshdash-build-cache`, with the hash of each output
file. When the fingerprint matches and every output still has its recorded hash,
`meshdash build` reports them unchanged without importing a single definition.

The environment is an input too: while the definitions load and render,
`recording_environment` notes every variable they look up (`os.environ[...]`,
`.get`, `os.getenv` and `in` all go through `__getitem__`), and the record keeps
a hash of those variables' values (never the values). A later build whose
variables differ, or lost one, rebuilds. A definition that reads the whole environment (iterates or copies it)
is never served from the cache. A file read outside the inputs (elsewhere on disk)
is not seen: build such definitions with `--no-cache`.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from generator.config import BUILTIN_QUERIES
from generator.flavors import current_flavor
from generator.outputs.files import write_atomic
from generator.outputs.manifest import file_hash

CACHE_NAME = ".meshdash-build-cache"
_LIBRARIES = ("meshdash", "grafanalib", "jinja2", "attrs")
#: meshdash's own sources (the whole package, not this folder) are an input of every build
PACKAGE_DIR = Path(__file__).resolve().parent.parent


def inputs_fingerprint(dashboards_dir: Path, queries_dirs: Sequence[Path]) -> str:
    """One hash over every input of a build."""
    digest = hashlib.sha256()
    digest.update(sys.version.encode())
    # Definitions that pin no flavor build differently under each `--flavor`.
    digest.update(f"\0flavor={current_flavor().name}".encode())
    versions = _versions(_LIBRARIES)
    for name in _LIBRARIES:
        digest.update(f"\0{name}={versions[name]}".encode())
    roots = [("dashboards", dashboards_dir), ("package", PACKAGE_DIR), ("builtin", BUILTIN_QUERIES)]
    roots += [(f"queries{i}", Path(d)) for i, d in enumerate(queries_dirs)]
    for label, root in roots:
        for relative in _files(str(root)):
            digest.update(f"\0{label}/{relative}\0".encode())
            with open(os.path.join(root, relative), "rb") as handle:
                digest.update(handle.read())
    return digest.hexdigest()


def cached_outputs(out_dir: Path, key: str) -> list[Path] | None:
    """The outputs of the last build if its inputs had fingerprint `key` and are intact."""
    try:
        record = json.loads((out_dir / CACHE_NAME).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(record, dict) or record.get("fingerprint") != key:
        return None
    environment = record.get("environment")
    if not isinstance(environment, dict) or not isinstance(environment.get("names"), list):
        return None
    if environment.get("digest") != _environment_digest(environment["names"]):
        return None
    outputs = record.get("outputs", {})
    paths = [out_dir / name for name in sorted(outputs)]
    for path in paths:
        if file_hash(path) != outputs[path.name]:
            return None
    return paths


def remember(out_dir: Path, key: str, outputs: Mapping[str, str], reads: EnvironmentReads) -> None:
    """Record the fingerprint, the environment read and the outputs' hashes after a build.

    `outputs` maps each output file's name to the sha256 of what the build wrote
    there (known already: the build does not read its 10,000 files back).
    """
    if reads.everything:
        forget(out_dir)
        return
    names = sorted(reads.names)
    record = {
        "fingerprint": key,
        "environment": {"names": names, "digest": _environment_digest(names)},
        "outputs": dict(outputs),
    }
    # Compact: an indented dump of 10,000 hashes holds a dozen small strings per file at once.
    text = json.dumps(record, sort_keys=True, separators=(",", ":"))
    write_atomic(out_dir / CACHE_NAME, text + "\n")


@dataclass
class EnvironmentReads:
    """The environment variables a build looked up; ``everything`` when it read them all."""

    names: set[str] = field(default_factory=set)
    everything: bool = False


@contextmanager
def recording_environment() -> Iterator[EnvironmentReads]:
    """Note every environment variable read inside the block (see the module docstring)."""
    reads = EnvironmentReads()
    environ = os.environ
    plain = type(environ)

    class Recording(plain):  # type: ignore[misc,valid-type]
        def __getitem__(self, name: str) -> str:
            reads.names.add(name)
            return super().__getitem__(name)

        def __iter__(self) -> Iterator[str]:
            reads.everything = True
            return super().__iter__()

    # Swapping the class (not the object) keeps every `from os import environ` alias recording.
    environ.__class__ = Recording
    try:
        yield reads
    finally:
        environ.__class__ = plain


def _environment_digest(names: Sequence[object]) -> str:
    digest = hashlib.sha256()
    for name in names:
        value = os.environ.get(str(name))
        digest.update(f"{name}\0{'unset' if value is None else 'set=' + value}\0".encode())
    return digest.hexdigest()


def forget(out_dir: Path) -> None:
    (out_dir / CACHE_NAME).unlink(missing_ok=True)


def _files(root: str) -> list[str]:
    """Every file under `root` ('/'-separated, relative), in the order of their parts.

    Folders linked in are not entered, nor `__pycache__`; files whose name starts with
    a dot are left out. Plain strings and `os.scandir`: a thousand `Path`s cost more
    than the rest of a no-change build's look at its inputs.
    """
    found: list[tuple[list[str], str]] = []
    _collect(root, "", found)
    found.sort()
    return [relative for _, relative in found]


def _collect(folder: str, prefix: str, found: list[tuple[list[str], str]]) -> None:
    try:
        entries = list(os.scandir(folder))
    except (FileNotFoundError, NotADirectoryError):
        return
    for entry in entries:
        relative = prefix + entry.name
        if entry.is_dir(follow_symlinks=False):
            if entry.name != "__pycache__":
                _collect(entry.path, relative + "/", found)
        elif entry.is_file() and not entry.name.startswith("."):
            found.append((relative.split("/"), relative))


def _versions(names: Sequence[str]) -> dict[str, str]:
    """Each library's installed version: the first `<name>-<version>.dist-info` folder on
    `sys.path`, as installers name them; importlib.metadata (15 ms to import) otherwise."""
    wanted = {_normalized(name): name for name in names}
    found: dict[str, str] = {}
    for entry in sys.path:
        try:
            listing = os.listdir(entry or ".")
        except OSError:
            continue
        for item in listing:
            stem, _, kind = item.rpartition(".")
            name, _, version = stem.partition("-")
            key = _normalized(name)
            if kind in ("dist-info", "egg-info") and key in wanted and wanted[key] not in found:
                found[wanted[key]] = version or _metadata_version(wanted[key])
    return {name: found.get(name) or _metadata_version(name) for name in names}


def _normalized(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def _metadata_version(name: str) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version(name)
    except PackageNotFoundError:
        return "?"
