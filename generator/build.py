"""Builds dashboard definitions into Grafana JSON files, atomically.

`build_dashboards` loads, checks and renders; `write_outputs` writes one
`<uid>.json` per dashboard through a temporary file and a rename, so a reader
never sees half a file; `stale_outputs` and `check_outputs` serve the CI drift
check (`meshdash build --check`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from generator import queries
from generator.errors import (
    DefinitionError,
    DuplicateUidError,
    InvalidUidError,
    MeshdashError,
    OutputError,
)
from generator.files import prepare_output_dir, stale_files, write_atomic
from generator.jsontext import to_json_text
from generator.loader import LoadedDashboard, load_dashboards
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
        _check_uids(loaded)
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


def _check_uids(loaded: Sequence[LoadedDashboard]) -> None:
    seen: dict[str, LoadedDashboard] = {}
    for item in loaded:
        uid = item.dashboard.uid
        if not isinstance(uid, str) or not UID_PATTERN.match(uid):
            raise InvalidUidError(
                f"{item.source}: dashboard {item.dashboard.title!r} has uid {uid!r}; a uid is "
                "1 to 40 characters of letters, digits, '-' and '_'"
            )
        if uid in seen:
            first = seen[uid]
            raise DuplicateUidError(
                f"{item.source}: dashboard {item.dashboard.title!r} reuses uid {uid!r} of "
                f"{first.dashboard.title!r} in {first.source}; give each dashboard its own uid"
            )
        seen[uid] = item


def write_outputs(built: Sequence[BuiltDashboard], out_dir: Path) -> list[tuple[Path, str]]:
    """Write each dashboard whose file differs; returns (path, "wrote"|"unchanged")."""
    prepare_output_dir(out_dir)
    results: list[tuple[Path, str]] = []
    for item in built:
        path = out_dir / item.filename
        text = item.text()
        if _read(path) == text:
            results.append((path, "unchanged"))
            continue
        write_atomic(path, text)
        results.append((path, "wrote"))
    return results


def stale_outputs(built: Sequence[BuiltDashboard], out_dir: Path) -> list[Path]:
    """meshdash-built JSON files in `out_dir` whose dashboard is no longer defined."""
    return stale_files({item.filename for item in built}, out_dir)


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
    problems.extend(
        f"{path}: stale, no dashboard defines it" for path in stale_outputs(built, out_dir)
    )
    return problems


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (FileNotFoundError, IsADirectoryError):
        return None
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror}") from None
