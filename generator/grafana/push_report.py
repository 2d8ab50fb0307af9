"""Text for people and JSON for CI: the plan, the per-dashboard diff, the summary.

A reason or message names the setting behind it in the library's words; ``flags`` (a
command's setting -> flag) adds the flag that changes it: "... as forced (--force)".
"""

from __future__ import annotations

import difflib
import json
from collections import Counter
from collections.abc import Mapping, Sequence

from generator.grafana import state
from generator.grafana.plan import Action, Change, Plan, with_flag
from generator.grafana.publish import RESULT_ORDER, PushOutcome

_EMPTY = ""
_EXPLAINED = frozenset({Action.DRIFTED, Action.UNMANAGED, Action.FAILED})
_NO_FLAGS: Mapping[str, str] = {}


def reason_shown(change: Change, flags: Mapping[str, str] = _NO_FLAGS) -> str:
    """``change.reason``, with the flag behind its setting where ``flags`` names one."""
    return with_flag(change.reason, change.setting, flags)


def format_plan(plan: Plan, flags: Mapping[str, str] = _NO_FLAGS) -> str:
    """One line per folder to create and per dashboard, then the totals."""
    lines = [f"  create    folder {ref.path!r} (uid {ref.uid})" for ref in plan.folders]
    for change in plan.changes:
        where = f" -> {change.folder}" if change.folder else ""
        reason = f"  ({reason_shown(change, flags)})" if change.reason else ""
        lines.append(f"  {change.action!s:9} {change.uid}  {change.title!r}{where}{reason}")
    counts = ", ".join(f"{plan.count(a)} {a}" for a in Action if plan.count(a))
    lines.append(f"plan: {counts or 'nothing to do'}; {plan.writes} write(s) through {plan.api}")
    return "\n".join(lines)


def change_diff(change: Change, flags: Mapping[str, str] = _NO_FLAGS) -> str:
    """A unified diff of the normalized JSON, Grafana's side first; "" when no change."""
    if change.action is Action.UNCHANGED:
        return _EMPTY
    before = state.canonical_text(change.remote.dashboard) if change.remote else _EMPTY
    after = _EMPTY if change.action is Action.DELETE else state.canonical_text(change.desired or {})
    label = f"{change.uid} ({change.action})"
    lines = list(
        difflib.unified_diff(
            before.splitlines(keepends=True),
            after.splitlines(keepends=True),
            fromfile=f"grafana/{change.uid}",
            tofile=f"build/{change.uid}" if after else "/dev/null",
        )
    )
    if not lines and change.remote is not None and change.remote.folder_uid != change.folder_uid:
        lines = [f"folder: {change.remote.folder_uid or 'General'} -> {change.folder_uid}\n"]
    if change.action in _EXPLAINED and change.reason:
        lines.insert(0, f"# {reason_shown(change, flags)}\n")  # why push would not write it
    return f"=== {label}\n" + "".join(lines) if lines else _EMPTY


def format_summary(
    outcomes: Sequence[PushOutcome], api: str = "", flags: Mapping[str, str] = _NO_FLAGS
) -> str:
    """The per-dashboard problems, then a table of counts per result."""
    lines = [
        f"{o.result}: {o.uid} ({o.title}): {o.shown(flags)}"
        for o in outcomes
        if o.result.value in ("drifted", "failed")
    ]
    counts = Counter(o.result for o in outcomes)
    width = max(len(r.value) for r in RESULT_ORDER)
    lines.append(f"{'result':<{width}}  count")
    lines.extend(f"{r.value:<{width}}  {counts.get(r, 0):>5}" for r in RESULT_ORDER)
    if api:
        lines.append(f"through {api}")
    return "\n".join(lines)


def summary_json(
    outcomes: Sequence[PushOutcome],
    *,
    dry_run: bool = False,
    api: str = "",
    flags: Mapping[str, str] = _NO_FLAGS,
) -> str:
    counts = Counter(o.result for o in outcomes)
    body = {
        "api": api,
        "dry_run": dry_run,
        "summary": {r.value: counts.get(r, 0) for r in RESULT_ORDER},
        "dashboards": [o.to_json(flags) for o in outcomes],
    }
    return json.dumps(body, indent=2, sort_keys=True)


def plan_json(plan: Plan, flags: Mapping[str, str] = _NO_FLAGS) -> str:
    body = {
        "api": plan.api,
        "dry_run": True,
        "folders": [{"path": r.path, "uid": r.uid} for r in plan.folders],
        "dashboards": [
            {
                "uid": c.uid,
                "title": c.title,
                "action": str(c.action),
                "folder": c.folder,
                "reason": reason_shown(c, flags),
            }
            for c in plan.changes
        ],
        "summary": {a.value: plan.count(a) for a in Action},
        "writes": plan.writes,
    }
    return json.dumps(body, indent=2, sort_keys=True)
