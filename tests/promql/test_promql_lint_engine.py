"""The lint engine: a rule that crashes is one Fatal problem naming it, the others still run."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pytest

import generator.commands.lint as lint_command
from generator.cli import main
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.engine import lint_dashboard, select_rules
from generator.promql.lint.findings_report import format_text
from generator.promql.lint.problems import Location, Problem, Severity
from generator.promql.lint.rules import Rule
from generator.promql.lint.rules.md202_variables_unused import UnusedVariable

DASHBOARD = {
    "uid": "crash",
    "title": "Crash test",
    "templating": {"list": [{"name": "unused", "type": "custom", "query": "a,b"}]},
    "panels": [],
}


class Crashing(Rule):
    """A rule with a bug, as a new rule may have."""

    code = "MD999"
    name = "test/crashing"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        yield from ()
        raise KeyError("panels")


def test_a_crashing_rule_is_a_fatal_problem_naming_it_and_the_others_run() -> None:
    problems = lint_dashboard(DASHBOARD, rules=[Crashing(), UnusedVariable()])
    assert [(p.code, p.severity) for p in problems] == [
        ("MD999", Severity.FATAL),
        ("MD202", Severity.WARNING),
    ]
    crash = problems[0]
    assert crash.name == "test/crashing"
    assert crash.message.startswith("rule MD999 test/crashing crashed (KeyError: 'panels')")
    assert crash.location.dashboard_title == "Crash test"


def test_the_command_reports_the_crash_and_exits_1_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "crash.json").write_text(json.dumps(DASHBOARD))
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(
        lint_command, "select_rules", lambda disable: [Crashing(), *select_rules(disable)]
    )
    assert main(["lint", "--fail-on", "fatal", "--from", str(tmp_path / "crash.json")]) == 1
    out, err = capsys.readouterr()
    assert out.startswith("Fatal: rule MD999 test/crashing crashed (KeyError: 'panels')")
    assert "(variables/unused, MD202)" in out
    assert "Traceback" not in out + err
    assert "lint found 1 problem(s) at or above fatal" in err


def test_a_multi_line_query_is_indented_with_the_caret_under_its_own_line() -> None:
    text = "sum(\n  rate(x[5m])\n)\n# meshdash: may be empty"
    start = text.index("5m")
    problem = Problem(
        "MD102", "promql/rate-interval", Severity.WARNING, "use $__rate_interval",
        Location(dashboard_title="D"), text=text, span=(start, start + 2),
    )  # fmt: skip
    assert format_text([problem]).splitlines()[1:] == [
        "    sum(",
        "      rate(x[5m])",
        "             ^^",
        "    )",
        "    # meshdash: may be empty",
    ]
