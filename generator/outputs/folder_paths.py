"""Grafana folder paths as definitions write them: ``"A/B"``, the top level, and non-paths.

One reading for every place a folder path matters (build checks, provisioning
folders, the folders `push` creates), so a definition lands in the same folder
whichever way it is delivered. Light on imports: `build` and `lint` use it.
"""

from __future__ import annotations

from generator.errors import ConfigError

#: names that mean Grafana's top level ("General"), compared case-insensitively
ROOT_NAMES = frozenset({"", "general", "dashboards"})
_NOT_NAMES = {"": "an empty part", ".": "a '.' part", "..": "a '..' part"}


def split_path(path: str | None) -> list[str]:
    """``"A / B"`` -> ``["A", "B"]``; ``None``, ``""`` and ``"General"`` mean the top level."""
    if path is None or path.strip().lower() in ROOT_NAMES:
        return []
    parts = [part.strip() for part in path.split("/")]
    for part in parts:
        if part in _NOT_NAMES:
            raise ConfigError(
                f"folder path {path!r} has {_NOT_NAMES[part]}; write it as 'A/B' "
                "(names separated by '/')"
            )
    return parts
