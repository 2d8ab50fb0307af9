"""The version message push records in Grafana's history: where the change came from."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        done = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, timeout=5, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.strip() if done.returncode == 0 and done.stdout.strip() else None


def version_message(cwd: Path | None = None, env: Mapping[str, str] | None = None) -> str:
    """``meshdash <sha> (<branch>)`` in a git checkout, else ``meshdash push``.

    CI checkouts are often a detached HEAD; the branch then comes from
    ``GITHUB_REF_NAME`` or ``CI_COMMIT_REF_NAME`` when set.
    """
    cwd = cwd or Path.cwd()
    env = os.environ if env is None else env
    sha = _git(["rev-parse", "--short=12", "HEAD"], cwd)
    if sha is None:
        return "meshdash push"
    branch = _git(["rev-parse", "--abbrev-ref", "HEAD"], cwd)
    if branch in (None, "HEAD"):
        branch = env.get("GITHUB_REF_NAME") or env.get("CI_COMMIT_REF_NAME") or "detached"
    dirty = _git(["status", "--porcelain", "--untracked-files=no"], cwd)
    return f"meshdash {sha}{'+dirty' if dirty else ''} ({branch})"
