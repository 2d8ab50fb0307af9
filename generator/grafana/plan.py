"""The plan: what push would do to each dashboard, decided from reads only.

:func:`classify` is the whole decision for one dashboard (a pure function);
:func:`compute_plan` reads Grafana through a backend (``backends``) and classifies.
Nothing here writes. On the resource API one paged LIST holds every dashboard's spec,
so the plan costs a few requests whatever the number of dashboards; on the legacy API a
paged search says which uids exist and only those are read, one GET each.

A dashboard whose read failed (after retries) is planned as FAILED and the others go on.

With ``refresh=False`` (``push --no-refresh``, legacy API) the plan trusts the search's
hash tags: a dashboard whose recorded ``meshdash-hash:`` tag equals the hash of the
build's content, in the right folder, is unchanged *without being read*. The trade-off:
a UI edit to a dashboard whose definition did not change is not reported (and, being
unchanged, never overwritten). On the resource API the LIST already carries every spec,
so ``--no-refresh`` changes nothing there and every drift is reported.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from generator.errors import ConfigError, InvalidUidError
from generator.grafana import state
from generator.grafana.backends import Backend, LegacyBackend, Survey
from generator.grafana.client import GrafanaClient, RemoteDashboard
from generator.grafana.folders import FolderRef, missing_folders, uid_for
from generator.outputs.built import BuiltDashboard


class Action(StrEnum):
    CREATE = "create"
    UPDATE = "update"
    UNCHANGED = "unchanged"
    DRIFTED = "drifted"
    UNMANAGED = "unmanaged"
    DELETE = "delete"
    FAILED = "failed"


NO_REFRESH_CONFLICT = (
    "a plan without refresh cannot force or adopt: they need every dashboard read from Grafana"
)
WRITES = frozenset({Action.CREATE, Action.UPDATE, Action.DELETE})
# Grafana's legacy limit (the resource API allows longer names; keep to the stricter one).
UID_PATTERN = re.compile(r"[A-Za-z0-9_-]{1,40}")
SCHEMA_V2_REASON = (
    "stored as schema v2 (saved from Grafana 13's UI), which cannot be compared with the "
    "classic build; port the edit to the definition, or force it to be replaced"
)


@dataclass(frozen=True)
class Change:
    """The planned action for one dashboard; ``desired`` is the stamped JSON to write.

    ``setting`` names the plan setting behind ``reason`` (``force``, ``adopt``, ``prune``,
    ``refresh``), in the library's words: a command adds its flag when it shows the reason.
    """

    uid: str
    title: str
    action: Action
    folder: str | None = None
    folder_uid: str = ""
    desired: dict[str, Any] | None = None
    remote: RemoteDashboard | None = None
    reason: str = ""
    fingerprint: str = ""
    setting: str | None = None


@dataclass(frozen=True)
class Plan:
    changes: list[Change]
    folders: list[FolderRef] = field(default_factory=list)
    api: str = "legacy /api"

    def count(self, action: Action) -> int:
        return sum(1 for change in self.changes if change.action is action)

    @property
    def writes(self) -> int:
        return len(self.folders) + sum(1 for c in self.changes if c.action in WRITES)


def classify(
    want: BuiltDashboard,
    remote: RemoteDashboard | None,
    *,
    adopt: bool = False,
    force: bool = False,
) -> Change:
    """Decide create / update / unchanged / drifted / unmanaged for one dashboard.

    The common case, unchanged, is decided by comparing dicts: nothing is hashed.
    """
    folder_uid = uid_for(want.folder)
    if (
        remote is not None
        and not remote.schema_v2
        and remote.folder_uid == folder_uid
        and state.equal_content(remote.dashboard, want.managed)
    ):
        return _unchanged(want, folder_uid, remote=remote)
    base = Change(
        uid=want.uid,
        title=want.title,
        action=Action.CREATE,
        folder=want.folder,
        folder_uid=folder_uid,
        desired=want.stamped,
        remote=remote,
        fingerprint=want.fingerprint,
    )
    if remote is None:
        return base
    if remote.schema_v2:
        if not force:
            return _with(base, Action.DRIFTED, SCHEMA_V2_REASON, "force")
        return _with(base, Action.UPDATE, "replaces a schema-v2 dashboard, as forced", "force")
    same_content = remote.fingerprint == want.fingerprint
    if not remote.managed:
        if not adopt:
            return _with(
                base,
                Action.UNMANAGED,
                "exists in Grafana but meshdash did not create it; adopt it to take it over",
                "adopt",
            )
        return _with(base, Action.UPDATE, "adopted: meshdash manages it from now on", "adopt")
    if drifted(remote):
        if not force:
            return _with(
                base,
                Action.DRIFTED,
                "edited in Grafana since meshdash wrote it; port the edit to the definition, "
                "or force it to be overwritten",
                "force",
            )
        return _with(base, Action.UPDATE, "overwrites edits made in Grafana, as forced", "force")
    if same_content:
        return _with(base, Action.UPDATE, f"moves to folder {want.folder or 'General'!r}")
    return _with(base, Action.UPDATE, "content changed")


def drifted(remote: RemoteDashboard) -> bool:
    """Edited in Grafana since meshdash wrote it (or never proven written by meshdash)."""
    if remote.schema_v2:
        return True
    if remote.recorded_hash is not None:
        return remote.recorded_hash != remote.fingerprint
    return state.is_drifted(remote.dashboard, remote.fingerprint)


def classify_removed(remote: RemoteDashboard, *, force: bool = False) -> Change:
    """A managed dashboard no longer in the build: delete it, unless edited in Grafana."""
    title = str(remote.dashboard.get("title", remote.uid))
    if drifted(remote) and not force:
        edited = "stored as schema v2" if remote.schema_v2 else "edited in Grafana"
        return Change(
            uid=remote.uid,
            title=title,
            action=Action.DRIFTED,
            remote=remote,
            reason=f"no longer defined, but {edited} since meshdash wrote it; "
            "force to delete it anyway",
            setting="force",
        )
    return Change(
        uid=remote.uid,
        title=title,
        action=Action.DELETE,
        remote=remote,
        reason="no longer defined in the build, and pruned",
        setting="prune",
    )


def with_flag(text: str, setting: str | None, flags: Mapping[str, str]) -> str:
    """``text``, then the flag ``flags`` gives for ``setting`` in parentheses, if it gives one."""
    flag = flags.get(setting or "")
    return f"{text} ({flag})" if flag and text else text


def _with(change: Change, action: Action, reason: str = "", setting: str | None = None) -> Change:
    return Change(
        uid=change.uid,
        title=change.title,
        action=action,
        folder=change.folder,
        folder_uid=change.folder_uid,
        desired=change.desired,
        remote=change.remote,
        reason=reason,
        fingerprint=change.fingerprint,
        setting=setting,
    )


def unchanged_by_tag(want: BuiltDashboard, hit: dict[str, Any] | None) -> Change | None:
    """UNCHANGED from a search hit alone: its hash tag is the build's, its folder the right one."""
    if hit is None or state.recorded_hash(hit) != want.fingerprint[: state.HASH_LENGTH]:
        return None
    folder = uid_for(want.folder)
    if (hit.get("folderUid") or "") != folder:
        return None
    return _unchanged(
        want, folder, reason="not read: hash tag matches the build", setting="refresh"
    )


def _unchanged(
    want: BuiltDashboard,
    folder_uid: str,
    *,
    remote: RemoteDashboard | None = None,
    reason: str = "",
    setting: str | None = None,
) -> Change:
    """Nothing to write: no ``desired`` JSON, so nothing is stamped or hashed for it."""
    return Change(
        uid=want.uid,
        title=want.title,
        action=Action.UNCHANGED,
        folder=want.folder,
        folder_uid=folder_uid,
        remote=remote,
        reason=reason,
        setting=setting,
    )


def check_uids(desired: Sequence[BuiltDashboard]) -> None:
    """Refuse a uid Grafana would refuse, before anything is sent."""
    for want in desired:
        if not UID_PATTERN.fullmatch(want.uid):
            raise InvalidUidError(
                f"{want.source}: dashboard {want.title!r} has uid {want.uid!r}; Grafana takes "
                "1 to 40 characters of letters, digits, '-' and '_'"
            )


def compute_plan(
    backend: Backend | GrafanaClient,
    desired: Sequence[BuiltDashboard],
    *,
    prune: bool = False,
    adopt: bool = False,
    force: bool = False,
    parallel: int = 4,
    refresh: bool = True,
    survey: Survey | None = None,
) -> Plan:
    """Read Grafana and decide every change; writes nothing.

    ``survey`` is the backend's listing when the caller already fetched it (push lists
    Grafana while it reads the build).

    ``refresh=False`` trusts the hash tags of the legacy search hits (see the module
    docstring); it cannot be combined with ``adopt`` or ``force``, which need every
    dashboard read.
    """
    if not refresh and (adopt or force):
        raise ConfigError(NO_REFRESH_CONFLICT, setting="refresh")
    check_uids(desired)
    if isinstance(backend, GrafanaClient):
        backend = LegacyBackend(backend)
    survey = survey or backend.survey()
    known = {} if refresh else _trusted(desired, survey)
    wanted = {want.uid for want in desired}
    to_read = [w.uid for w in desired if w.uid in survey.existing and w.uid not in known]
    gone = sorted(survey.managed - wanted) if prune else []
    reads = backend.read_many([*to_read, *gone], parallel)
    changes = []
    for want in desired:
        if want.uid in known:
            changes.append(known[want.uid])
        elif want.uid in reads.failed:
            changes.append(_failed(want.uid, want.title, want.folder, reads.failed[want.uid]))
        else:
            changes.append(classify(want, reads.remotes.get(want.uid), adopt=adopt, force=force))
    for uid in gone:
        remote = reads.remotes.get(uid)
        if uid in reads.failed:
            changes.append(_failed(uid, uid, None, reads.failed[uid]))
        elif remote is not None and remote.managed:
            changes.append(classify_removed(remote, force=force))
    needs_folder = {c.folder for c in changes if c.action in (Action.CREATE, Action.UPDATE)}
    folders = missing_folders(backend, needs_folder)
    return Plan(changes=changes, folders=folders, api=backend.choice.describe())


def _trusted(desired: Sequence[BuiltDashboard], survey: Survey) -> dict[str, Change]:
    found = ((want.uid, unchanged_by_tag(want, survey.hits.get(want.uid))) for want in desired)
    return {uid: change for uid, change in found if change is not None}


def _failed(uid: str, title: str, folder: str | None, error: str) -> Change:
    reason = f"could not be read, left as it is: {error}"
    return Change(uid=uid, title=title, action=Action.FAILED, folder=folder, reason=reason)
