"""Finds and imports the dashboard definitions in a `dashboards/` folder.

Every `*.py` file not starting with `_` is imported as a plain module; the
dashboards it defines are the module-level :class:`Dashboard` objects, alone or
in a list or tuple (a file defining none is warned about). Files starting with `_`
are helpers the definitions may import (the folder is on `sys.path` while they
load). A file that fails to import is reported as one line naming the file and the line.
"""

from __future__ import annotations

import os
import sys
import traceback
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import ModuleType

from generator.dashboard import Dashboard
from generator.errors import ConfigError, DashboardLoadError, MeshdashError, MeshdashWarning

MODULE_PREFIX = "meshdash_definitions"
#: meshdash's own frames are never the user's to fix, even with the dashboards folder at the repo root
PACKAGE_DIR = Path(__file__).resolve().parent


def definition_names(directory: Path) -> list[str]:
    """The definition files' names (plain strings: 10,000 Paths would weigh 4 MB), sorted."""
    if not directory.is_dir():
        raise ConfigError(
            f"dashboards folder {directory} not found; give the folder that holds the "
            "dashboard definitions",
            setting="dashboards_dir",
        )
    with os.scandir(directory) as entries:
        return sorted(e.name for e in entries if e.name.endswith(".py") and e.name[0] not in "._")


def load_dashboards(directory: Path) -> list[Dashboard]:
    """Import every definition file of `directory`, in name order, and keep them all."""
    return [dashboard for _, dashboards in iter_definitions(directory) for dashboard in dashboards]


def iter_definitions(directory: Path) -> Iterator[tuple[Path, list[Dashboard]]]:
    """Each definition file of `directory` with its dashboards, one file at a time.

    The file's module is released before the next file is imported: a build of
    10,000 files holds one file's objects at a time, as long as the caller drops
    what it was given before asking for the next.
    """
    with _on_sys_path(directory):
        for name in definition_names(directory):
            path = directory / name
            dashboards = _dashboards_of(_import(path, directory))
            _warn_if_none(path, dashboards)
            yield path, dashboards
            # The next import would otherwise run while this file's objects are still alive.
            del dashboards


def _warn_if_none(path: Path, dashboards: list[Dashboard]) -> None:
    """A definition file without a dashboard is most likely a slip (a `Dashboard(...)` never
    assigned, or kept in a dict), not a helper: helpers start with `_`."""
    if not dashboards:
        warnings.warn(
            f"{path} defines no dashboard; assign a Dashboard(...) to a module-level name "
            f"(alone or in a list or tuple), or rename the file to _{path.name} if it is a helper",
            MeshdashWarning,
            stacklevel=2,
        )


def _dashboards_of(module: ModuleType) -> list[Dashboard]:
    found: dict[int, Dashboard] = {}
    for value in vars(module).values():
        candidates = value if isinstance(value, list | tuple) else [value]
        for item in candidates:
            if isinstance(item, Dashboard):
                found.setdefault(id(item), item)
    return list(found.values())


def _import(path: Path, directory: Path) -> ModuleType:
    """Run a definition file as a module of its own (not kept in `sys.modules`).

    Compiled from its source every time, without importlib's bytecode cache: looking for
    a `__pycache__` file cost more than compiling a definition, and writing one per
    definition into the user's folder cost a file creation each. Unchanged inputs are
    the build cache's to skip (generator.outputs.cache).
    """
    module = ModuleType(f"{MODULE_PREFIX}.{path.stem}")
    module.__file__ = str(path)
    try:
        with open(path, "rb") as handle:
            code = compile(handle.read(), str(path), "exec", dont_inherit=True)
        # Registered while it runs, as importlib does: dataclasses, typing and enum
        # look a class's module up in sys.modules while the class is being made.
        sys.modules[module.__name__] = module
        try:
            exec(code, vars(module))
        finally:
            sys.modules.pop(module.__name__, None)
    except SyntaxError as exc:
        where = str(_shown(Path(exc.filename), directory) if exc.filename else path)
        where += f":{exc.lineno}" if exc.lineno else ""
        raise DashboardLoadError(
            f"{where}: syntax error: {exc.msg}{_via(path, where, exc)}; "
            "fix the file and build again"
        ) from exc
    except MeshdashError as exc:
        where = _location(exc, path, directory)
        raise type(exc)(f"{where}: {exc}{_via(path, where, exc)}") from exc
    except Exception as exc:
        where = _location(exc, path, directory)
        raise DashboardLoadError(f"{where}: {_problem(exc)}{_via(path, where, exc)}") from exc
    return module


def _problem(exc: Exception) -> str:
    """What went wrong; `os.environ["X"]` on an unset X names the variable, not a KeyError."""
    frames = traceback.extract_tb(exc.__traceback__)
    # Python 3.11+ runs a frozen `os`: its frames are "<frozen os>", not os.__file__.
    if isinstance(exc, KeyError) and frames and frames[-1].filename in (os.__file__, "<frozen os>"):
        return f"environment variable {exc.args[0]} is not set; set it, or read it with a default"
    return f"{type(exc).__name__}: {_first_line(exc)}"


def _first_line(exc: BaseException) -> str:
    """The message alone: attrs' validators put the message first in a tuple of args."""
    text = exc.args[0] if len(exc.args) > 1 and isinstance(exc.args[0], str) else str(exc)
    return text.splitlines()[0] if text else ""


def _location(exc: BaseException, path: Path, directory: Path) -> str:
    """`file:line` of the deepest frame inside the dashboards folder: where it went wrong.

    Frames of meshdash, grafanalib or the standard library are skipped: the user
    can only fix their own files.
    """
    found = _deepest_frame(exc, directory.resolve())
    return f"{_shown(found[0], directory)}:{found[1]}" if found else f"{path}:?"


def _via(path: Path, where: str, exc: BaseException) -> str:
    """` (via a.py:2)` when the culprit is a helper, so both ends are named."""
    if where.startswith(f"{path}:"):
        return ""
    found = _deepest_frame(exc, path.resolve())
    return f" (via {path}:{found[1] if found else '?'})"


def _deepest_frame(exc: BaseException, inside: Path) -> tuple[Path, int] | None:
    """The deepest traceback frame in `inside` (a file, or a folder and what it holds)."""
    found = None
    for frame in traceback.extract_tb(exc.__traceback__):
        if frame.filename.startswith("<") or frame.lineno is None:
            continue  # "<frozen importlib._bootstrap>" would resolve into the current folder
        file = Path(frame.filename).resolve()
        if file.is_relative_to(inside) and not file.is_relative_to(PACKAGE_DIR):
            found = (file, frame.lineno)
    return found


def _shown(file: Path, directory: Path) -> Path:
    """`file` as the user named its folder (`dashboards/_team.py`, not an absolute path)."""
    try:
        return directory / file.resolve().relative_to(directory.resolve())
    except ValueError:
        return file


@contextmanager
def _on_sys_path(directory: Path) -> Iterator[None]:
    """Let definitions import their helpers; forget those helpers afterwards.

    Without the forgetting, a second build in the same process (tests, the bench)
    would reuse another folder's `_helpers` module of the same name.
    """
    entry = str(directory.resolve())
    before = set(sys.modules)
    sys.path.insert(0, entry)
    try:
        yield
    finally:
        if entry in sys.path:
            sys.path.remove(entry)
        for name in set(sys.modules) - before:
            origin = getattr(sys.modules[name], "__file__", None) or ""
            if origin.startswith(entry + "/"):
                del sys.modules[name]
