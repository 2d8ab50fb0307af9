"""The README's code blocks, taken verbatim, and the project a user makes of them.

A block whose first line names a file (`# dashboards/team.py`, `<# queries/team/x.promql.j2 ...`)
is that file of the user's project; `lay_out` writes them into a folder of its own.
"""

from __future__ import annotations

import re
import textwrap
from pathlib import Path

from tests.conftest import ROOT

README = ROOT / "README.md"
_FENCE = r"^( *)```{lang}\n(.*?)^\1```$"
SETTINGS = '[tool.meshdash]\ndashboards = "dashboards"\nqueries = "queries"\n'
_NAMED = {
    "python": re.compile(r"# (dashboards/\S+\.py)\n"),
    "": re.compile(r"<# (queries/\S+\.promql\.j2)\b"),
}


def code_blocks(lang: str) -> list[str]:
    """Every ```lang block of the README, dedented (blocks inside a list are indented)."""
    fence = re.compile(_FENCE.format(lang=re.escape(lang)), re.M | re.S)
    return [textwrap.dedent(body) for _, body in fence.findall(README.read_text())]


def project_files() -> dict[str, str]:
    """The README's files by the path their first line names, relative to the project."""
    files: dict[str, str] = {}
    for lang, named in _NAMED.items():
        for block in code_blocks(lang):
            if match := named.match(block):
                files[match.group(1)] = block
    return files


def lay_out(project: Path) -> Path:
    """A user's project: the README's files and the settings that name their folders.

    The settings are written, not copied from the repository, whose own `[tool.meshdash]`
    may name a user's folders.
    """
    project.mkdir(parents=True, exist_ok=True)
    (project / "pyproject.toml").write_text(SETTINGS)
    for relative, text in project_files().items():
        path = project / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    return project
