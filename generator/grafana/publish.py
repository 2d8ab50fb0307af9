"""Carry out a plan: folders first, then the dashboard writes with bounded parallelism.

One dashboard's failure never stops the others: each change ends as an
:class:`PushOutcome`. Updates send the version (legacy) or ``resourceVersion`` (resource
API) that was planned against, so a concurrent edit in Grafana turns into a 412/409,
reported as drifted, and is never overwritten. After a conflict the dashboard is read
back: if it already holds exactly what was sent (a retried write whose first answer was
lost), that is success, recognised by the content hash.
"""

from __future__ import annotations

from collections.abc import Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from generator.errors import GrafanaAuthError, GrafanaConflict, GrafanaError
from generator.grafana import state
from generator.grafana.backends import Backend, LegacyBackend, Write
from generator.grafana.client import GrafanaClient
from generator.grafana.folders import create_folders
from generator.grafana.plan import WRITES, Action, Change, Plan, with_flag


class Result(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"
    DRIFTED = "drifted"
    DELETED = "deleted"
    FAILED = "failed"


RESULT_ORDER = tuple(Result)
BAD_RESULTS = frozenset({Result.DRIFTED, Result.FAILED})


@dataclass(frozen=True)
class PushOutcome:
    """What became of one change; ``setting`` is the one its ``message`` is about, if any."""

    uid: str
    title: str
    result: Result
    message: str = ""
    url: str = ""
    setting: str | None = None

    def shown(self, flags: Mapping[str, str]) -> str:
        """``message``, with the flag behind ``setting`` where ``flags`` names one."""
        return with_flag(self.message, self.setting, flags)

    def to_json(self, flags: Mapping[str, str] | None = None) -> dict[str, str]:
        return {
            "uid": self.uid,
            "title": self.title,
            "result": str(self.result),
            "message": self.shown(flags or {}),
            "url": self.url,
        }


def publish(
    backend: Backend | GrafanaClient, plan: Plan, *, message: str, parallel: int = 4
) -> list[PushOutcome]:
    """Apply ``plan``; returns one outcome per change, in plan order.

    A refused role (401/403 on any write) is a setup problem, not one dashboard's: it
    stops the run (the writes not yet sent are skipped) and is raised, exit 2.
    """
    if isinstance(backend, GrafanaClient):
        backend = LegacyBackend(backend)
    folder_error = ""
    try:
        create_folders(backend, plan.folders)
    except GrafanaAuthError:
        raise
    except GrafanaError as exc:
        folder_error = str(exc)
    broken = {ref.uid for ref in plan.folders} if folder_error else set()
    refused: list[GrafanaAuthError] = []

    def run(change: Change) -> PushOutcome:
        if refused:
            return _outcome(change, Result.FAILED, "skipped: Grafana refused the token's role")
        if change.folder_uid in broken and change.action in (Action.CREATE, Action.UPDATE):
            return _outcome(change, Result.FAILED, folder_error)
        try:
            return apply_change(backend, change, message=message)
        except GrafanaAuthError as exc:
            refused.append(exc)
            raise

    changes = plan.changes
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = {
            n: pool.submit(run, change)
            for n, change in enumerate(changes)
            if change.action in WRITES
        }
    if refused:
        raise refused[0]
    # A change that sends nothing (unchanged, drifted, ...) needs no thread.
    return [futures[n].result() if n in futures else run(c) for n, c in enumerate(changes)]


def apply_change(backend: Backend, change: Change, *, message: str) -> PushOutcome:
    """Carry out one change; errors become a FAILED or DRIFTED outcome."""
    if change.action is Action.UNCHANGED:
        return _outcome(change, Result.UNCHANGED, url=backend.dashboard_url(change.uid))
    if change.action is Action.DRIFTED:
        return _outcome(change, Result.DRIFTED, change.reason, setting=change.setting)
    if change.action in (Action.UNMANAGED, Action.FAILED):
        return _outcome(change, Result.FAILED, change.reason, setting=change.setting)
    try:
        if change.action is Action.DELETE:
            backend.delete(change.uid)
            return _outcome(change, Result.DELETED, change.reason, setting=change.setting)
        return _write(backend, change, message)
    except GrafanaAuthError:
        raise
    except GrafanaError as exc:
        return _outcome(change, Result.FAILED, str(exc), setting=exc.setting)


def _write(backend: Backend, change: Change, message: str) -> PushOutcome:
    desired: dict[str, Any] = change.desired or {}
    done = Result.CREATED if change.action is Action.CREATE else Result.UPDATED
    try:
        backend.write(
            Write(
                uid=change.uid,
                stamped=desired,
                fingerprint=change.fingerprint or state.fingerprint(desired),
                folder_uid=change.folder_uid,
                remote=change.remote,
                message=message,
            )
        )
    except GrafanaConflict as exc:
        return _after_conflict(backend, change, done, exc)
    url = backend.dashboard_url(change.uid)
    return _outcome(change, done, change.reason, url, setting=change.setting)


def _after_conflict(
    backend: Backend, change: Change, done: Result, exc: GrafanaConflict
) -> PushOutcome:
    now = backend.read(change.uid)
    url = backend.dashboard_url(change.uid)
    if (
        now is not None
        and not now.schema_v2
        and state.same_content(now.dashboard, change.desired or {})
        and now.folder_uid == change.folder_uid
    ):
        return _outcome(change, done, change.reason, url, setting=change.setting)
    planned = change.remote.version if change.remote else None
    current = now.version if now else None
    moved = bool(now and change.remote and now.resource_version != change.remote.resource_version)
    if now is not None and (current != planned or moved):
        return _outcome(
            change,
            Result.DRIFTED,
            f"changed in Grafana between plan and write (version {planned} -> {current}); "
            "nothing was overwritten; rerun `meshdash push` to see it",
            url,
        )
    return _outcome(change, Result.FAILED, str(exc), setting=exc.setting)


def _outcome(
    change: Change, result: Result, message: str = "", url: str = "", *, setting: str | None = None
) -> PushOutcome:
    return PushOutcome(change.uid, change.title, result, message, url, setting)
