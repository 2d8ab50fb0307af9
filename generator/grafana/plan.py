"""The plan: what push would do to each dashboard, decided from reads only.

:func:`classify` is the whole decision for one dashboard (a pure function);
:func:`compute_plan` reads Grafana (one GET per dashboard, one paged search with
``--prune``, one GET per folder level) and classifies. Nothing here writes.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generator.grafana import state
from generator.grafana.client import GrafanaClient, RemoteDashboard
from generator.grafana.folders import FolderRef, missing_folders, uid_for


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DRIFTED = "drifted"
    UNMANAGED = "unmanaged"
    DELETE = "delete"


WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.DELETE})


@dataclass(frozen=True)
class Desired:
    """A dashboard as the build defines it, and the folder path it belongs in."""

    uid: str
    title: str
    folder: str | None
    data: dict[str, Any]
    source: str


@dataclass(frozen=True)
class Change:
    """The planned action for one dashboard; ``desired`` is the stamped JSON to write."""

    uid: str
    title: str
    action: Action
    folder: str | None = None
    folder_uid: str = ""
    desired: dict[str, Any] | None = None
    remote: RemoteDashboard | None = None
    reason: str = ""


@dataclass(frozen=True)
class Plan:
    changes: list[Change]
    folders: list[FolderRef] = field(default_factory=list)

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action is action)

    @property
    def writes(self) -> int:
        return len(self.folders) + sum(1 for c in self.changes if c.action in WRITES)


def classify(
    want: Desired, remote: RemoteDashboard | None, *, adopt: bool = False, force: bool = False
) -> Change:
    """Decide create / update / unchanged / drifted / unmanaged for one dashboard."""
    stamped = state.stamp(want.data)
    base = Change(
        uid=want.uid,
        title=want.title,
        action=Action.CREATE,
        folder=want.folder,
        folder_uid=uid_for(want.folder),
        desired=stamped,
        remote=remote,
    )
    if remote is None:
        return base
    current = remote.dashboard
    same_place = remote.folder_uid == base.folder_uid
    if state.same_content(current, stamped) and same_place:
        return _with(base, Action.UNCHANGED)
    if not state.is_managed(current):
        if not adopt:
            return _with(
                base,
                Action.UNMANAGED,
                "exists in Grafana but meshdash did not create it; pass --adopt to take it over",
            )
        return _with(base, Action.UPDATE, "adopted (--adopt): meshdash manages it from now on")
    if state.is_drifted(current):
        if not force:
            return _with(
                base,
                Action.DRIFTED,
                "edited in Grafana since meshdash wrote it; port the edit to the definition, "
                "or pass --force to overwrite it",
            )
        return _with(base, Action.UPDATE, "overwrites edits made in Grafana (--force)")
    if state.same_content(current, stamped):
        return _with(base, Action.UPDATE, f"moves to folder {want.folder or 'General'!r}")
    return _with(base, Action.UPDATE, "content changed")


def classify_removed(remote: RemoteDashboard, *, force: bool = False) -> Change:
    """A managed dashboard no longer in the build: delete it, unless edited in Grafana."""
    title = str(remote.dashboard.get("title", remote.uid))
    if state.is_drifted(remote.dashboard) and not force:
        return Change(
            uid=remote.uid,
            title=title,
            action=Action.DRIFTED,
            remote=remote,
            reason="no longer defined, but edited in Grafana since meshdash wrote it; "
            "pass --force to delete it anyway",
        )
    return Change(
        uid=remote.uid,
        title=title,
        action=Action.DELETE,
        remote=remote,
        reason="no longer defined in the build (--prune)",
    )


def _with(change: Change, action: Action, reason: str = "") -> Change:
    return Change(
        uid=change.uid,
        title=change.title,
        action=action,
        folder=change.folder,
        folder_uid=change.folder_uid,
        desired=change.desired,
        remote=change.remote,
        reason=reason,
    )


def compute_plan(
    client: GrafanaClient,
    desired: Sequence[Desired],
    *,
    prune: bool = False,
    adopt: bool = False,
    force: bool = False,
    parallel: int = 4,
) -> Plan:
    """Read Grafana and decide every change; writes nothing."""
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        remotes = list(pool.map(client.get_dashboard, [want.uid for want in desired]))
        changes = [
            classify(want, remote, adopt=adopt, force=force)
            for want, remote in zip(desired, remotes, strict=True)
        ]
        if prune:
            wanted = {want.uid for want in desired}
            hits = client.search(tag=state.MANAGED_TAG)
            gone = sorted({str(hit["uid"]) for hit in hits} - wanted)
            for remote in pool.map(client.get_dashboard, gone):
                if remote is not None and state.is_managed(remote.dashboard):
                    changes.append(classify_removed(remote, force=force))
    needs_folder = {c.folder for c in changes if c.action in (Action.CREATE, Action.UPDATE)}
    return Plan(changes=changes, folders=missing_folders(client, needs_folder))
