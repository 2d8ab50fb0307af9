"""Print the problems lint and validate find: pint-style text, or JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.promql.problems import Problem


def format_text(problems: Sequence[Problem], *, root: Path | None = None) -> str:
    """``Bug: message (name) ---> file: where`` with the offending text and a caret."""
    blocks = [_format_one(p, root) for p in problems]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def format_json(problems: Sequence[Problem]) -> str:
    return json.dumps(problems_json(problems), indent=2, sort_keys=True) + "\n"


def problems_json(problems: Sequence[Problem]) -> list[dict[str, Any]]:
    return [p.to_json() for p in problems]


def _format_one(problem: Problem, root: Path | None) -> str:
    source = problem.location.source
    if source is not None and root is not None and source.is_relative_to(root):
        source = source.relative_to(root)
    where = problem.location.describe()
    prefix = f"{source}: " if source is not None else ""
    lines = [
        f"{problem.severity.label()}: {problem.message} ({problem.name}, {problem.code}) "
        f"---> {prefix}{where}"
    ]
    if problem.text:
        lines.append("    " + problem.text)
        if problem.span is not None:
            start, end = problem.span
            lines.append("    " + " " * start + "^" * max(end - start, 1))
    return "\n".join(lines)
