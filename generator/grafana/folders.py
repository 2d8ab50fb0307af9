"""Folders by path: a stable uid per path, created parent first when missing.

A folder path is ``"Service Mesh"`` or, nested, ``"Platform/Service Mesh"`` (created
with ``parentUid``, which needs Grafana's nested folders, on by default since 11).
The uid is derived from the whole path, so the same path maps to the same folder in
every Grafana and on every run, and a renamed parent is a new folder, never a move.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import TYPE_CHECKING

from generator.errors import GrafanaConflict
from generator.outputs.folder_paths import split_path

if TYPE_CHECKING:
    from generator.grafana.backends import Backend


@dataclass(frozen=True)
class FolderRef:
    """One level of a folder path: its uid, its title and its parent's uid."""

    path: str
    uid: str
    title: str
    parent_uid: str | None


def folder_uid(path: str) -> str:
    """Stable uid of a folder path, e.g. ``meshdash-f-1a2b3c4d5e6f`` (under 40 characters)."""
    key = "/".join(split_path(path))
    return "meshdash-f-" + hashlib.sha256(key.encode("utf-8")).hexdigest()[:12]


def folder_chain(path: str | None) -> list[FolderRef]:
    """Every level of ``path`` from the top, each with its parent's uid."""
    chain: list[FolderRef] = []
    parent: str | None = None
    parts = split_path(path)
    for depth in range(1, len(parts) + 1):
        sub = "/".join(parts[:depth])
        ref = FolderRef(path=sub, uid=folder_uid(sub), title=parts[depth - 1], parent_uid=parent)
        chain.append(ref)
        parent = ref.uid
    return chain


def uid_for(path: str | None) -> str:
    """The folderUid to save a dashboard under: ``""`` for the root."""
    chain = folder_chain(path)
    return chain[-1].uid if chain else ""


def missing_folders(backend: Backend, paths: set[str | None]) -> list[FolderRef]:
    """Folders (parents first) that Grafana does not have yet; read-only."""
    wanted: dict[str, FolderRef] = {}
    for path in sorted(p for p in paths if p is not None):
        for ref in folder_chain(path):
            wanted.setdefault(ref.uid, ref)
    present = backend.folders_present(set(wanted))
    return [ref for ref in wanted.values() if ref.uid not in present]


def create_folders(backend: Backend, refs: list[FolderRef]) -> list[FolderRef]:
    """Create ``refs`` in order; one created meanwhile (409, or a replay) counts as done."""
    created = []
    for ref in refs:
        try:
            backend.create_folder(ref.uid, ref.title, ref.parent_uid)
        except GrafanaConflict:
            if not backend.folder_exists(ref.uid):
                raise
            continue
        created.append(ref)
    return created
