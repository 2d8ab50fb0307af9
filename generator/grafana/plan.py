"""The plan: what push would do to each dashboard, decided from reads only.

:func:`classify` is the whole decision for one dashboard (a pure function);
:func:`compute_plan` reads Grafana (one GET per dashboard, one paged search with
``--prune``, one GET per folder level) and classifies. Nothing here writes.

With ``refresh=False`` (``push --no-refresh``) the plan starts from the paged search
of managed dashboards instead: a dashboard whose recorded ``meshdash-hash:`` tag equals
the hash of the build's content, in the right folder, is unchanged *without being read*.
Every other one is read and classified as usual. The trade-off: a UI edit to a dashboard
whose definition did not change is not reported (and, being unchanged, never
overwritten); the default full refresh reports every drift.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property
from typing import Any

from generator.errors import ConfigError
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


NO_REFRESH_CONFLICT = (
    "--no-refresh cannot be combined with --force or --adopt: they need every dashboard "
    "read from Grafana; drop --no-refresh"
)
WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.DELETE})


@dataclass(frozen=True)
class Desired:
    """A dashboard as the build defines it, and the folder path it belongs in."""

    uid: str
    title: str
    folder: str | None
    data: dict[str, Any]
    source: str

    @cached_property
    def _stamped(self) -> tuple[dict[str, Any], str]:
        return state.stamp_with_fingerprint(self.data)

    @property
    def stamped(self) -> dict[str, Any]:
        """The JSON push writes (managed and hash tags), computed once."""
        return self._stamped[0]

    @property
    def fingerprint(self) -> str:
        """The content hash of :attr:`stamped`, computed once."""
        return self._stamped[1]


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
    base = Change(
        uid=want.uid,
        title=want.title,
        action=Action.CREATE,
        folder=want.folder,
        folder_uid=uid_for(want.folder),
        desired=want.stamped,
        remote=remote,
    )
    if remote is None:
        return base
    same_content = remote.fingerprint == want.fingerprint
    if same_content and remote.folder_uid == base.folder_uid:
        return _with(base, Action.UNCHANGED)
    if not state.is_managed(remote.dashboard):
        if not adopt:
            return _with(
                base,
                Action.UNMANAGED,
                "exists in Grafana but meshdash did not create it; pass --adopt to take it over",
            )
        return _with(base, Action.UPDATE, "adopted (--adopt): meshdash manages it from now on")
    if remote.drifted:
        if not force:
            return _with(
                base,
                Action.DRIFTED,
                "edited in Grafana since meshdash wrote it; port the edit to the definition, "
                "or pass --force to overwrite it",
            )
        return _with(base, Action.UPDATE, "overwrites edits made in Grafana (--force)")
    if same_content:
        return _with(base, Action.UPDATE, f"moves to folder {want.folder or 'General'!r}")
    return _with(base, Action.UPDATE, "content changed")


def classify_removed(remote: RemoteDashboard, *, force: bool = False) -> Change:
    """A managed dashboard no longer in the build: delete it, unless edited in Grafana."""
    title = str(remote.dashboard.get("title", remote.uid))
    if remote.drifted and not force:
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


def unchanged_by_tag(want: Desired, hit: dict[str, Any] | None) -> Change | None:
    """UNCHANGED from a search hit alone: its hash tag is the build's, its folder the right one."""
    if hit is None or state.recorded_hash(hit) != want.fingerprint[: state.HASH_LENGTH]:
        return None
    folder = uid_for(want.folder)
    if (hit.get("folderUid") or "") != folder:
        return None
    return Change(
        uid=want.uid,
        title=want.title,
        action=Action.UNCHANGED,
        folder=want.folder,
        folder_uid=folder,
        desired=want.stamped,
        reason="not read (--no-refresh): hash tag matches the build",
    )


def compute_plan(
    client: GrafanaClient,
    desired: Sequence[Desired],
    *,
    prune: bool = False,
    adopt: bool = False,
    force: bool = False,
    parallel: int = 4,
    refresh: bool = True,
) -> Plan:
    """Read Grafana and decide every change; writes nothing.

    ``refresh=False`` trusts the hash tags of the search hits (see the module docstring);
    it cannot be combined with ``adopt`` or ``force``, which need every dashboard read.
    """
    if not refresh and (adopt or force):
        raise ConfigError(NO_REFRESH_CONFLICT)
    hits = client.search(tag=state.MANAGED_TAG) if prune or not refresh else []
    by_uid = {str(hit.get("uid")): hit for hit in hits}
    known: dict[str, Change] = {}
    if not refresh:
        for want in desired:
            change = unchanged_by_tag(want, by_uid.get(want.uid))
            if change is not None:
                known[want.uid] = change

    def read_and_classify(want: Desired) -> Change:
        return classify(want, client.get_dashboard(want.uid), adopt=adopt, force=force)

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        unread = [want for want in desired if want.uid not in known]
        known.update((c.uid, c) for c in pool.map(read_and_classify, unread))
        changes = [known[want.uid] for want in desired]
        if prune:
            gone = sorted(set(by_uid) - {want.uid for want in desired})
            for remote in pool.map(client.get_dashboard, gone):
                if remote is not None and state.is_managed(remote.dashboard):
                    changes.append(classify_removed(remote, force=force))
    needs_folder = {c.folder for c in changes if c.action in (Action.CREATE, Action.UPDATE)}
    return Plan(changes=changes, folders=missing_folders(client, needs_folder))
