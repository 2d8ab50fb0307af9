"""Project settings from ``[tool.meshdash]`` in the nearest pyproject.toml."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

from generator.errors import ConfigError

PYPROJECT = "pyproject.toml"


@dataclass(frozen=True)
class Config:
    """Settings with paths resolved against the pyproject.toml's folder."""

    root: Path
    dashboards: Path
    queries: Path
    lint_disable: tuple[str, ...] = ()
    source: Path | None = field(default=None)


def find_pyproject(start: Path) -> Path | None:
    """The first pyproject.toml in ``start`` or a parent folder."""
    start = start.resolve()
    for folder in (start, *start.parents):
        candidate = folder / PYPROJECT
        if candidate.is_file():
            return candidate
    return None


def load_config(start: Path) -> Config:
    """Read ``[tool.meshdash]``; defaults (``dashboards``, ``queries``) when absent."""
    path = find_pyproject(start)
    if path is None:
        root = start.resolve()
        return Config(root=root, dashboards=root / "dashboards", queries=root / "queries")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    section = data.get("tool", {}).get("meshdash", {})
    lint = section.get("lint", {})
    disable = lint.get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(c, str) for c in disable):
        raise ConfigError(f'{path}: [tool.meshdash.lint] disable must be a list like ["MD302"]')
    root = path.parent
    return Config(
        root=root,
        dashboards=root / _string(section, "dashboards", "dashboards", path),
        queries=root / _string(section, "queries", "queries", path),
        lint_disable=tuple(disable),
        source=path,
    )


def _string(section: dict[str, object], key: str, default: str, path: Path) -> str:
    value = section.get(key, default)
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: [tool.meshdash] {key} must be a folder name")
    return value
