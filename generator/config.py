"""Project settings from ``[tool.meshdash]`` in the nearest pyproject.toml.

Every key is in `DEFAULTS`; the README's settings table lists each one (a test
holds them together), and an unknown key is a config error, so a typo such as
``querys = "mine"`` is reported instead of silently ignored.
"""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from generator.errors import ConfigError

PYPROJECT = "pyproject.toml"

#: The templates shipped inside the package. In a checkout `generator/_queries`
#: is a link to the top-level `queries/`, their source; a wheel carries copies.
BUILTIN_QUERIES = Path(str(files("generator") / "_queries"))

#: every key of [tool.meshdash] (dotted for sub-tables) and its default, as TOML
DEFAULTS: dict[str, object] = {
    "dashboards": "dashboards",
    "queries": "queries",
    "flavor": "consul",
    "envoy.service_label": "local_cluster",
    "envoy.inbound_prefix": "ingress_http",
    "envoy.local_app_cluster": "local_app",
    "lint.disable": [],
}


@dataclass(frozen=True)
class Config:
    """Settings with paths resolved against the pyproject.toml's folder."""

    root: Path
    dashboards: Path
    queries: Path
    lint_disable: tuple[str, ...] = ()
    source: Path | None = field(default=None)
    #: the mesh flavor of definitions that pin none (checked against the known ones by the CLI)
    flavor: str = "consul"
    #: the plain Envoy flavor's options ([tool.meshdash.envoy]), by option name
    envoy: dict[str, str] = field(default_factory=dict)


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
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read: {exc}") from exc
    section = data.get("tool", {}).get("meshdash", {})
    if not isinstance(section, dict):
        raise ConfigError(f"{path}: [tool.meshdash] must be a table of settings")
    _check_keys(section, path)
    disable = section.get("lint", {}).get("disable", [])
    if not isinstance(disable, list) or not all(isinstance(c, str) for c in disable):
        raise ConfigError(f'{path}: [tool.meshdash.lint] disable must be a list like ["MD302"]')
    flavor = section.get("flavor", DEFAULTS["flavor"])
    if not isinstance(flavor, str) or not flavor:
        raise ConfigError(f'{path}: [tool.meshdash] flavor must be a mesh name like "istio"')
    root = path.parent
    return Config(
        root=root,
        dashboards=root / _folder(section, "dashboards", path),
        queries=root / _folder(section, "queries", path),
        lint_disable=tuple(disable),
        source=path,
        flavor=flavor,
        envoy=_envoy_options(section, path),
    )


def _envoy_options(section: dict[str, object], path: Path) -> dict[str, str]:
    """`[tool.meshdash.envoy]`: label and name choices of a plain Envoy deployment."""
    table = section.get("envoy", {})
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.meshdash.envoy] must be a table of settings")
    for key, value in table.items():
        if not isinstance(value, str) or not value:
            raise ConfigError(
                f"{path}: [tool.meshdash.envoy] {key} must be a label or name, got {value!r}"
            )
    return dict(table)


def _check_keys(section: dict[str, object], path: Path) -> None:
    """Reject keys meshdash does not read, naming the closest known one."""
    found = []
    for key, value in section.items():
        if isinstance(value, dict):
            found += [f"{key}.{sub}" for sub in value]
        else:
            found.append(key)
    for key in found:
        if key not in DEFAULTS:
            close = difflib.get_close_matches(key, DEFAULTS, n=1)
            hint = f"did you mean {close[0]}? " if close else ""
            known = ", ".join(DEFAULTS)
            raise ConfigError(
                f"{path}: [tool.meshdash] has no setting {key!r}; {hint}known: {known}"
            )


def _folder(section: dict[str, object], key: str, path: Path) -> str:
    value = section.get(key, DEFAULTS[key])
    if not isinstance(value, str) or not value:
        raise ConfigError(f"{path}: [tool.meshdash] {key} must be a folder name")
    return value
