"""Where the dashboards to publish come from: a fresh build, or JSON files on disk.

With ``--from DIR`` every ``*.json`` under DIR is one dashboard; a file in a
subfolder (``DIR/Platform/Service Mesh/x.json``) belongs in that folder path, the
same convention as Grafana's ``foldersFromFilesStructure``. ``--folder`` overrides
the folder of every dashboard.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from generator.errors import ConfigError, DefinitionError, DuplicateUidError
from generator.grafana.plan import Desired

if TYPE_CHECKING:  # the build (and grafanalib) is not loaded for `push --from`
    from generator.build import BuiltDashboard


def from_built(built: Sequence[BuiltDashboard], folder: str | None = None) -> list[Desired]:
    """The dashboards of a build; ``folder`` (``--folder``) overrides their own folder."""
    return [
        Desired(
            uid=item.uid,
            title=item.title,
            folder=folder if folder is not None else item.folder,
            data=item.data,
            source=str(item.source),
        )
        for item in built
    ]


def from_files(directory: Path, folder: str | None = None) -> list[Desired]:
    """Read every ``*.json`` under ``directory`` as a dashboard."""
    if not directory.is_dir():
        raise ConfigError(f"--from {directory} is not a folder; run `meshdash build` first")
    found: dict[str, Desired] = {}
    for path in sorted(directory.rglob("*.json")):
        want = _read_dashboard(path, directory, folder)
        if want.uid in found:
            raise DuplicateUidError(
                f"{path}: uid {want.uid!r} is also used by {found[want.uid].source}; "
                "give each dashboard its own uid"
            )
        found[want.uid] = want
    if not found:
        raise ConfigError(f"--from {directory} holds no *.json dashboards")
    return list(found.values())


def _read_dashboard(path: Path, root: Path, folder: str | None) -> Desired:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    except ValueError as exc:
        raise DefinitionError(f"{path}: not valid JSON ({exc})") from None
    if not isinstance(data, dict) or not data.get("uid") or not data.get("title"):
        raise DefinitionError(f"{path}: a dashboard needs a 'uid' and a 'title' at the top")
    # Most files sit in the root; relative_to costs more than reading a dashboard.
    subfolder = None if path.parent == root else path.parent.relative_to(root).as_posix()
    return Desired(
        uid=str(data["uid"]),
        title=str(data["title"]),
        folder=folder if folder is not None else subfolder,
        data=data,
        source=str(path),
    )
