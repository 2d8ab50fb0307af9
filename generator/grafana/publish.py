"""Carry out a plan: folders first, then the dashboard writes with bounded parallelism.

One dashboard's failure never stops the others: each change ends as an
:class:`Outcome`. Updates send the version that was planned against (optimistic
locking), so a concurrent edit in Grafana turns into a 412, reported as drifted, and
is never overwritten. After a 412 the dashboard is read back: if it already holds
exactly what was sent (a retried POST whose first answer was lost), that is success.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from generator.errors import GrafanaAuthError, GrafanaConflict, GrafanaError
from generator.grafana import state
from generator.grafana.client import GrafanaClient
from generator.grafana.folders import create_folders
from generator.grafana.plan import Action, Change, Plan


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
class Outcome:
    uid: str
    title: str
    result: Result
    message: str = ""
    url: str = ""

    def to_json(self) -> dict[str, str]:
        return {
            "uid": self.uid,
            "title": self.title,
            "result": str(self.result),
            "message": self.message,
            "url": self.url,
        }


def publish(client: GrafanaClient, plan: Plan, *, message: str, parallel: int = 4) -> list[Outcome]:
    """Apply ``plan``; returns one outcome per change, in plan order.

    A refused role (401/403 on any write) is a setup problem, not one dashboard's: it
    stops the run (the writes not yet sent are skipped) and is raised, exit 2.
    """
    folder_error = ""
    try:
        create_folders(client, plan.folders)
    except GrafanaAuthError:
        raise
    except GrafanaError as exc:
        folder_error = str(exc)
    broken = {ref.uid for ref in plan.folders} if folder_error else set()
    refused: list[GrafanaAuthError] = []

    def run(change: Change) -> Outcome:
        if refused:
            return _outcome(change, Result.FAILED, "skipped: Grafana refused the token's role")
        if change.folder_uid in broken and change.action in (Action.CREATE, Action.UPDATE):
            return _outcome(change, Result.FAILED, folder_error)
        try:
            return apply_change(client, change, message=message)
        except GrafanaAuthError as exc:
            refused.append(exc)
            raise

    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        futures = [pool.submit(run, change) for change in plan.changes]
    if refused:
        raise refused[0]
    return [future.result() for future in futures]


def apply_change(client: GrafanaClient, change: Change, *, message: str) -> Outcome:
    """Carry out one change; errors become a FAILED or DRIFTED outcome."""
    if change.action is Action.UNCHANGED:
        return _outcome(change, Result.UNCHANGED, url=client.dashboard_url(change.uid))
    if change.action is Action.DRIFTED:
        return _outcome(change, Result.DRIFTED, change.reason)
    if change.action is Action.UNMANAGED:
        return _outcome(change, Result.FAILED, change.reason)
    try:
        if change.action is Action.DELETE:
            client.delete_dashboard(change.uid)
            return _outcome(change, Result.DELETED, change.reason)
        return _write(client, change, message)
    except GrafanaAuthError:
        raise
    except GrafanaError as exc:
        return _outcome(change, Result.FAILED, str(exc))


def _write(client: GrafanaClient, change: Change, message: str) -> Outcome:
    body: dict[str, Any] = dict(change.desired or {})
    if change.remote is not None:
        body["version"] = change.remote.version
    done = Result.CREATED if change.action is Action.CREATE else Result.UPDATED
    try:
        client.save_dashboard(body, folder_uid=change.folder_uid, message=message)
    except GrafanaConflict as exc:
        return _after_conflict(client, change, done, exc)
    return _outcome(change, done, change.reason, client.dashboard_url(change.uid))


def _after_conflict(
    client: GrafanaClient, change: Change, done: Result, exc: GrafanaConflict
) -> Outcome:
    now = client.get_dashboard(change.uid)
    url = client.dashboard_url(change.uid)
    if (
        now is not None
        and state.same_content(now.dashboard, change.desired or {})
        and now.folder_uid == change.folder_uid
    ):
        return _outcome(change, done, change.reason, url)
    planned = change.remote.version if change.remote else None
    current = now.version if now else None
    if now is not None and current != planned:
        return _outcome(
            change,
            Result.DRIFTED,
            f"changed in Grafana between plan and write (version {planned} -> {current}); "
            "nothing was overwritten; rerun `meshdash push` to see it",
            url,
        )
    return _outcome(change, Result.FAILED, str(exc))


def _outcome(change: Change, result: Result, message: str = "", url: str = "") -> Outcome:
    return Outcome(uid=change.uid, title=change.title, result=result, message=message, url=url)
