"""Files meshdash writes: atomically, into folders it checks first.

Light on imports on purpose: the build cache uses it before any definition loads.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from generator.errors import OutputError


def prepare_output_dir(out_dir: Path, *, setting: str | None = None) -> None:
    """Make ``out_dir`` if needed; an error names it and carries ``setting``, the caller's name for it."""
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"output folder {out_dir} is a file; give a folder", setting=setting)
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(
            f"cannot create output folder {out_dir}: {exc.strerror}", setting=setting
        ) from None
    if not os.access(out_dir, os.W_OK):
        raise OutputError(
            f"output folder {out_dir} is not writable; give another folder", setting=setting
        )


def write_atomic(path: Path, text: str | bytes) -> None:
    """Write `text` (UTF-8, or bytes as they are) to `path` via a temporary file and a rename.

    The file gets the mode `open()` or `cp` would give it (0666 less the umask), not the
    0600 of a temporary file: Grafana often runs as another user and must read it.
    """
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as exc:
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None
    try:
        with os.fdopen(fd, "wb") as handle:
            os.fchmod(handle.fileno(), 0o666 & ~current_umask())
            handle.write(text.encode("utf-8") if isinstance(text, str) else text)
        os.replace(tmp, path)
    except OSError as exc:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot write {path}: {exc.strerror}") from None


def current_umask() -> int:
    """The process umask (reading it means setting it, so it is put back at once)."""
    mask = os.umask(0o022)
    os.umask(mask)
    return mask
