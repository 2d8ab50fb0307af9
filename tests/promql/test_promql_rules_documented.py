"""The README's lint and validate tables name every rule and check by its code, name, severity."""

from __future__ import annotations

import re
from pathlib import Path

import generator.promql.lint.rules
from generator.promql.dashboard import MAY_BE_EMPTY
from generator.promql.lint.rules import ALL_RULES
from generator.validate.checks import ALL_CHECKS

README = (Path(__file__).resolve().parents[2] / "README.md").read_text()
ROW = re.compile(r"^\| (MD\S*) \| (\S+) \| (\w+) \|", re.MULTILINE)
CHECK_ROW = re.compile(r"^\| (MD4\d\d) \| \S+ \| \w+ \| (.*) \|$", re.MULTILINE)
ALL_RULES_BY_CODE = sorted(ALL_RULES, key=lambda rule: rule.code)


def test_every_rule_and_check_has_its_own_row_in_the_readme() -> None:
    documented = [match.groups() for match in ROW.finditer(README)]
    kinds = [*ALL_RULES_BY_CODE, *sorted(ALL_CHECKS, key=lambda check: check.code)]
    assert documented == [(k.code, k.name, k.severity.name.lower()) for k in kinds]


def test_the_readme_says_what_each_validate_check_checks() -> None:
    rows = {m.group(1): m.group(2) for m in CHECK_ROW.finditer(README)}
    assert {c.code: rows.get(c.code) for c in ALL_CHECKS} == {c.code: c.summary for c in ALL_CHECKS}


def test_lint_and_validate_codes_never_collide() -> None:
    codes = [rule.code for rule in ALL_RULES] + [check.code for check in ALL_CHECKS]
    assert len(codes) == len(set(codes))
    assert all(check.code.startswith("MD4") for check in ALL_CHECKS)


def test_the_readme_shows_the_may_be_empty_line_validate_reads() -> None:
    assert f"`{MAY_BE_EMPTY}`" in README


def test_each_rule_has_a_module_named_after_its_code_and_name() -> None:
    """One rule per file, as pint and sqlfluff do: MD102 promql/rate-interval lives in
    ``md102_promql_rate_interval.py``, alone."""
    modules = [rule.__module__.rsplit(".", 1)[1] for rule in ALL_RULES]
    expected = [f"{r.code.lower()}_{re.sub(r'[/-]', '_', r.name)}" for r in ALL_RULES]
    assert modules == expected
    rules_dir = Path(generator.promql.lint.rules.__file__).parent
    assert sorted(p.stem for p in rules_dir.glob("md*.py")) == sorted(expected)
