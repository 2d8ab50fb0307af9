"""The README's lint table names every rule by its own code, name and severity."""

from __future__ import annotations

import re
from pathlib import Path

from generator.promql.dashboard import MAY_BE_EMPTY
from generator.promql.rules import ALL_RULES

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
ROW = re.compile(r"^\| (MD\S*) \| (\S+) \| (\w+) \|", re.MULTILINE)
ALL_RULES_BY_CODE = sorted(ALL_RULES, key=lambda rule: rule.code)


def test_every_rule_has_its_own_row_in_the_readme() -> None:
    documented = [match.groups() for match in ROW.finditer(README)]
    assert documented == [(r.code, r.name, r.severity.name.lower()) for r in ALL_RULES_BY_CODE]


def test_the_readme_shows_the_may_be_empty_line_validate_reads() -> None:
    assert f"`{MAY_BE_EMPTY}`" in README
