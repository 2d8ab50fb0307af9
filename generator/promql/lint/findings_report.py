"""Print the problems lint and validate find: pint-style text, or JSON."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from generator.promql.lint.problems import Problem, Severity


def format_text(problems: Sequence[Problem], *, root: Path | None = None) -> str:
    """``Bug: message (name, code) ---> file: where`` with the offending text (each line
    indented) and a caret under the span."""
    blocks = [_format_one(p, root) for p in problems]
    return "\n\n".join(blocks) + ("\n" if blocks else "")


def lint_summary(dashboards: int, panels: int, problems: Sequence[Problem]) -> str:
    """`lint: 5 dashboard(s), 87 panel(s), 3 problem(s) (1 bug(s), 2 warning(s))`: a clean
    run says what it checked, as validate's summary does."""
    counts = Counter(p.severity for p in problems)
    detail = ", ".join(
        f"{counts[s]} {s.name.lower()}{'' if s == Severity.INFORMATION else '(s)'}"
        for s in sorted(counts, reverse=True)
    )
    summary = f"lint: {dashboards} dashboard(s), {panels} panel(s), {len(problems)} problem(s)"
    return f"{summary} ({detail})" if detail else summary


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
        lines.extend(_excerpt(problem.text, problem.span))
    return "\n".join(lines)


def _excerpt(text: str, span: tuple[int, int] | None) -> list[str]:
    """Each line of ``text`` indented, the span's first line followed by its caret."""
    lines: list[str] = []
    offset = 0
    for line in text.splitlines(keepends=True):
        body = line.rstrip("\r\n")
        lines.append("    " + body)
        if span is not None and offset <= span[0] < offset + len(line):
            start, end = span[0] - offset, min(span[1] - offset, len(body))
            lines.append("    " + " " * start + "^" * max(end - start, 1))
        offset += len(line)
    return lines
