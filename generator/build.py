"""Builds dashboard definitions into Grafana JSON files, atomically.

`build_dashboards` loads, checks and renders; `write_outputs` writes one
`<uid>.json` per dashboard through a temporary file and a rename, so a reader
never sees half a file, and the folder's manifest (generator.manifest: each
dashboard's Grafana folder, for `push --from`, and which files are meshdash's);
`check_outputs` serves the CI drift check (`meshdash build --check`).
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import queries
from generator.errors import (
    ConfigError,
    DefinitionError,
    DuplicateUidError,
    InvalidUidError,
    MeshdashError,
    OutputError,
)
from generator.files import MANAGED_TAG, prepare_output_dir, write_atomic
from generator.folder_paths import split_path
from generator.jsontext import to_json_text
from generator.loader import LoadedDashboard, load_dashboards
from generator.manifest import (
    MANIFEST_NAME,
    Entry,
    entry,
    manifest_text,
    read_manifest,
    refuse_foreign,
    remove_paths,
    stale_paths,
    write_manifest,
)
from generator.render import render_dashboard

UID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


@dataclass(frozen=True)
class BuiltDashboard:
    uid: str
    title: str
    folder: str | None
    source: Path
    data: dict[str, Any]

    def text(self) -> str:
        return to_json_text(self.data)

    @property
    def filename(self) -> str:
        return f"{self.uid}.json"


def build_dashboards(
    dashboards_dir: Path, *, queries_dirs: Sequence[Path] = ()
) -> list[BuiltDashboard]:
    """Load every definition in `dashboards_dir` and render it; nothing is written."""
    with queries.search_path(queries_dirs):
        loaded = load_dashboards(dashboards_dir)
        _check_dashboards(loaded)
        return [_render(item) for item in loaded]


def _render(item: LoadedDashboard) -> BuiltDashboard:
    dashboard = item.dashboard
    try:
        data = render_dashboard(dashboard)
    except MeshdashError as exc:
        raise type(exc)(f"{item.source}: dashboard {dashboard.uid!r}: {exc}") from None
    except Exception as exc:
        raise DefinitionError(
            f"{item.source}: dashboard {dashboard.uid!r} cannot be rendered: "
            f"{type(exc).__name__}: {exc}"
        ) from None
    return BuiltDashboard(
        uid=dashboard.uid,
        title=dashboard.title,
        folder=dashboard.folder,
        source=item.source,
        data=data,
    )


def _check_dashboards(loaded: Sequence[LoadedDashboard]) -> None:
    """What Grafana or a disk would refuse later: bad or colliding uids, folders, titles."""
    uids: dict[str, LoadedDashboard] = {}
    places: dict[tuple[tuple[str, ...], str], LoadedDashboard] = {}
    for item in loaded:
        _check_uid(item, uids)
        try:
            folder = tuple(split_path(item.dashboard.folder))
        except ConfigError as exc:
            raise DefinitionError(
                f"{item.source}: dashboard {item.dashboard.title!r}: {exc}"
            ) from None
        # Grafana compares titles within a folder case-insensitively (412 name-exists).
        place = (folder, str(item.dashboard.title).strip().lower())
        if place in places:
            first = places[place]
            where = "/".join(folder) or "the top level (General)"
            raise DefinitionError(
                f"{item.source}: dashboard {item.dashboard.uid!r} has the title "
                f"{item.dashboard.title!r} of {first.dashboard.uid!r} in {first.source}, "
                f"both in folder {where}; Grafana refuses two dashboards with one title in "
                "a folder: rename one or move it to another folder"
            )
        places[place] = item


def _check_uid(item: LoadedDashboard, seen: dict[str, LoadedDashboard]) -> None:
    uid = item.dashboard.uid
    if not isinstance(uid, str) or not UID_PATTERN.match(uid):
        raise InvalidUidError(
            f"{item.source}: dashboard {item.dashboard.title!r} has uid {uid!r}; a uid is "
            "1 to 40 characters of letters, digits, '-' and '_'"
        )
    first = seen.get(uid.lower())
    if first is not None and first.dashboard.uid == uid:
        raise DuplicateUidError(
            f"{item.source}: dashboard {item.dashboard.title!r} reuses uid {uid!r} of "
            f"{first.dashboard.title!r} in {first.source}; give each dashboard its own uid"
        )
    if first is not None:
        raise DuplicateUidError(
            f"{item.source}: dashboard {item.dashboard.title!r} has uid {uid!r}, which differs "
            f"only in case from {first.dashboard.uid!r} of {first.dashboard.title!r} in "
            f"{first.source}; their files collide on case-insensitive disks: rename one"
        )
    seen[uid.lower()] = item


def output_entries(built: Sequence[BuiltDashboard]) -> dict[str, Entry]:
    """The manifest of a build's output folder: each file with its dashboard's folder."""
    return {item.filename: entry(item.text(), item.folder) for item in built}


def write_outputs(built: Sequence[BuiltDashboard], out_dir: Path) -> list[tuple[Path, str]]:
    """Write each dashboard whose file differs, remove meshdash's stale files, then the manifest.

    Returns (path, "wrote"|"unchanged"|"removed") per file.
    """
    prepare_output_dir(out_dir)
    previous = read_manifest(out_dir)
    refuse_foreign(out_dir, previous, (item.filename for item in built), is_built_dashboard)
    results: list[tuple[Path, str]] = []
    for item in built:
        path = out_dir / item.filename
        text = item.text()
        if _read(path) == text:
            results.append((path, "unchanged"))
            continue
        write_atomic(path, text)
        results.append((path, "wrote"))
    entries = output_entries(built)
    stale = stale_paths(out_dir, previous, entries)
    remove_paths(stale)
    results.extend((path, "removed") for path in stale)
    if _read(out_dir / MANIFEST_NAME) != manifest_text(entries):
        write_manifest(out_dir, entries)
    return results


def check_outputs(built: Sequence[BuiltDashboard], out_dir: Path) -> list[str]:
    """What differs between `out_dir` and a fresh build, one line per file."""
    problems = []
    for item in built:
        path = out_dir / item.filename
        current = _read(path)
        if current is None:
            problems.append(f"{path}: missing (dashboard {item.uid!r} from {item.source})")
        elif current != item.text():
            problems.append(f"{path}: differs from a fresh build of {item.source}")
    entries = output_entries(built)
    manifest = _read(out_dir / MANIFEST_NAME)
    if manifest != manifest_text(entries):
        state = "missing" if manifest is None else "differs from a fresh build"
        problems.append(f"{out_dir / MANIFEST_NAME}: {state} (the folders `push --from` reads)")
    stale = stale_paths(out_dir, read_manifest(out_dir), entries)
    problems.extend(f"{path}: stale, no dashboard defines it" for path in stale)
    return problems


def is_built_dashboard(path: Path) -> bool:
    """A dashboard JSON file with meshdash's tag: what meshdash built before manifests."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and MANAGED_TAG in (data.get("tags") or [])


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror}") from None
