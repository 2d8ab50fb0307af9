"""Builds dashboard definitions into Grafana JSON, one definition file at a time.

`iter_built` loads a file, checks and renders its dashboards, hands them out and
lets the file go before the next one loads: memory stays flat however many files
there are. What the cross-file checks (uids, titles within a folder) need of the
dashboards already built is kept as small tuples. `build_dashboards` collects
them all for the commands that need every dashboard at once (validate, preview,
push); `meshdash build` streams them into generator.outputs.staging. Each is a
generator.outputs.built.BuiltDashboard, the one dashboard value from here to push.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path

from generator import queries
from generator.dashboard import Dashboard
from generator.errors import (
    ConfigError,
    DefinitionError,
    DuplicateUidError,
    InvalidUidError,
    MeshdashError,
)
from generator.loader import iter_definitions
from generator.outputs.built import BuiltDashboard
from generator.outputs.folder_paths import split_path
from generator.render.grafana_json import render_dashboard

UID_PATTERN = re.compile(r"^[A-Za-z0-9_-]{1,40}$")


def build_dashboards(
    dashboards_dir: Path, *, queries_dirs: Sequence[Path] = ()
) -> list[BuiltDashboard]:
    """Every dashboard of `dashboards_dir`, rendered; nothing is written."""
    with closing(iter_built(dashboards_dir, queries_dirs=queries_dirs)) as built:
        return list(built)


def iter_built(
    dashboards_dir: Path, *, queries_dirs: Sequence[Path] = ()
) -> Iterator[BuiltDashboard]:
    """Each dashboard of `dashboards_dir`, rendered, in file order; nothing is written.

    A mistake (a file that does not load, a bad or colliding uid or title, a panel
    that cannot render) raises when its file is reached, after the dashboards of
    the files before it were handed out: a caller that must not write half a build
    stages what it gets until the end (generator.outputs.staging does).
    """
    checks = CrossChecks()
    with queries.search_path(queries_dirs), closing(iter_definitions(dashboards_dir)) as files:
        for source, dashboards in files:
            rendered = _render_file(source, dashboards, checks)
            del dashboards  # so that the file's objects go before the next file loads
            yield from rendered
            del rendered


def _render_file(
    source: Path, dashboards: Sequence[Dashboard], checks: CrossChecks
) -> list[BuiltDashboard]:
    for dashboard in dashboards:
        checks.add(dashboard, source)
    return [_render(dashboard, source) for dashboard in dashboards]


def _render(dashboard: Dashboard, source: Path) -> BuiltDashboard:
    try:
        data = render_dashboard(dashboard)
    except MeshdashError as exc:
        raise type(exc)(f"{source}: dashboard {dashboard.uid!r}: {exc}") from None
    except Exception as exc:
        raise DefinitionError(
            f"{source}: dashboard {dashboard.uid!r} cannot be rendered: {type(exc).__name__}: {exc}"
        ) from None
    return BuiltDashboard(dashboard.uid, dashboard.title, dashboard.folder, source, data)


@dataclass(frozen=True, slots=True)
class _Seen:
    """What the checks keep of a dashboard already built: enough to name it in an error."""

    uid: str
    title: str
    source: str


class CrossChecks:
    """What Grafana or a disk would refuse later: bad or colliding uids, folders, titles."""

    def __init__(self) -> None:
        self._uids: dict[str, _Seen] = {}
        self._places: dict[tuple[tuple[str, ...], str], _Seen] = {}
        self._folders: dict[tuple[str, ...], tuple[str, ...]] = {}

    def add(self, dashboard: Dashboard, source: Path) -> None:
        seen = _Seen(dashboard.uid, dashboard.title, str(source))
        self._check_uid(seen)
        try:
            folder = tuple(split_path(dashboard.folder))
            folder = self._folders.setdefault(
                folder, folder
            )  # one tuple per folder, not per dashboard
        except ConfigError as exc:
            raise DefinitionError(f"{source}: dashboard {dashboard.title!r}: {exc}") from None
        # Grafana compares titles within a folder case-insensitively (412 name-exists).
        place = (folder, str(dashboard.title).strip().lower())
        first = self._places.get(place)
        if first is not None:
            where = "/".join(folder) or "the top level (General)"
            raise DefinitionError(
                f"{source}: dashboard {seen.uid!r} has the title {seen.title!r} of "
                f"{first.uid!r} in {first.source}, both in folder {where}; Grafana refuses two "
                "dashboards with one title in a folder: rename one or move it to another folder"
            )
        self._places[place] = seen

    def _check_uid(self, seen: _Seen) -> None:
        uid = seen.uid
        if not isinstance(uid, str) or not UID_PATTERN.match(uid):
            raise InvalidUidError(
                f"{seen.source}: dashboard {seen.title!r} has uid {uid!r}; a uid is "
                "1 to 40 characters of letters, digits, '-' and '_'"
            )
        first = self._uids.get(uid.lower())
        if first is not None and first.uid == uid:
            raise DuplicateUidError(
                f"{seen.source}: dashboard {seen.title!r} reuses uid {uid!r} of "
                f"{first.title!r} in {first.source}; give each dashboard its own uid"
            )
        if first is not None:
            raise DuplicateUidError(
                f"{seen.source}: dashboard {seen.title!r} has uid {uid!r}, which differs "
                f"only in case from {first.uid!r} of {first.title!r} in "
                f"{first.source}; their files collide on case-insensitive disks: rename one"
            )
        self._uids[uid.lower()] = seen
