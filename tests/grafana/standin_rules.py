"""What the Grafana stand-in stores per dashboard, and the refusals of a save.

The refusals take the strictest reading of Grafana's docs (see ``standin``): a uid over
40 characters or outside ``[a-zA-Z0-9_-]``, a version message over 500 characters, an
unknown folder, a provisioned dashboard, a posted ``id`` that is not the stored one, a
plugin's dashboard, a stale version, a title taken in the folder. Both APIs use them;
the resource API turns the legacy bodies into ``Status`` objects.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from standin_http import Reply

if TYPE_CHECKING:
    from standin import GrafanaStandIn

UID_PATTERN = re.compile(r"[a-zA-Z0-9_-]+")
MAX_UID = 40
MAX_MESSAGE = 500


@dataclass
class Stored:
    dashboard: dict[str, Any]
    folder_uid: str
    plugin_id: str | None = None
    messages: list[str] = field(default_factory=list)
    resource_version: int = 0
    annotations: dict[str, str] = field(default_factory=dict)
    schema_v2: bool = False
    provisioned: bool = False

    @property
    def version(self) -> int:
        return int(self.dashboard["version"])


def check_save(
    standin: GrafanaStandIn,
    uid: str,
    dash: dict[str, Any],
    folder_uid: str,
    existing: Stored | None,
    message: str,
    *,
    overwrite: bool,
    versioned: bool = True,
) -> None:
    """Grafana's refusals of a save, strictest reading of the docs (a Reply if refused)."""
    if len(uid) > MAX_UID:
        raise Reply(400, {"message": f"uid too long, max {MAX_UID} characters"})
    if not UID_PATTERN.fullmatch(uid):
        raise Reply(400, {"message": "uid contains illegal characters"})
    if len(message) > MAX_MESSAGE:
        raise Reply(400, {"message": f"Dashboard message too long, max {MAX_MESSAGE} characters"})
    if folder_uid and folder_uid not in standin.folders:
        raise Reply(400, {"message": "folder not found"})
    if existing is not None and existing.provisioned:
        raise Reply(400, {"message": "Cannot save provisioned dashboard"})
    posted_id = dash.get("id")
    if posted_id and existing is None:
        raise Reply(404, {"message": "Dashboard not found"})
    if posted_id and existing is not None and posted_id != existing.dashboard["id"]:
        raise Reply(400, {"message": "A dashboard with the same uid already exists"})
    _check_conflicts(standin, uid, dash, folder_uid, existing, overwrite, versioned)


def _check_conflicts(
    standin: GrafanaStandIn,
    uid: str,
    dash: dict[str, Any],
    folder_uid: str,
    existing: Stored | None,
    overwrite: bool,
    versioned: bool,
) -> None:
    if existing is not None and existing.plugin_id:
        raise Reply(
            412,
            {
                "status": "plugin-dashboard",
                "message": f"The dashboard belongs to plugin {existing.plugin_id}.",
            },
        )
    stale = versioned and existing is not None and dash.get("version") != existing.version
    if stale and not overwrite:
        raise Reply(
            412,
            {
                "status": "version-mismatch",
                "message": "The dashboard has been changed by someone else",
            },
        )
    if overwrite:
        return
    title = str(dash["title"]).strip().lower()
    for other_uid, other in standin.dashboards.items():
        same_place = other.folder_uid == folder_uid
        if other_uid != uid and same_place and other.dashboard["title"].lower() == title:
            raise Reply(
                412,
                {
                    "status": "name-exists",
                    "message": "A dashboard with the same name in the folder already exists",
                },
            )
