"""Every lint rule against its data-driven cases in cases/<code>.yaml.

Each case changes one part of cases/base_dashboard.yaml (which passes every
rule) and lists the problems expected as [severity, text in the message];
``span`` names the text the caret of its one problem must point at.
"""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.promql.interpolate import TimeRange
from generator.promql.lint.context import LintOptions
from generator.promql.lint.engine import lint_dashboard, select_rules
from generator.promql.lint.rules import ALL_RULES, RULES_BY_CODE

CASES_DIR = Path(__file__).parent / "cases"
BASE = yaml.safe_load((CASES_DIR / "base_dashboard.yaml").read_text())
# A stand-in for generator.metrics_catalogue.METRIC_TYPES, so these cases do not
# depend on the simulator's table.
METRIC_TYPES = {
    "envoy_cluster_upstream_rq_total": "counter",
    "envoy_cluster_upstream_rq_active": "gauge",
    "envoy_cluster_upstream_rq_time": "histogram",
}
OPTIONS = LintOptions(
    time_range=TimeRange.last("6h", now_ms=1_700_000_000_000), metric_types=METRIC_TYPES
)


def _load_cases() -> list[Any]:
    params = []
    for path in sorted(CASES_DIR.glob("MD*.yaml")):
        for case in yaml.safe_load(path.read_text()):
            rules = case.get("rules", [path.stem])
            params.append(pytest.param(rules, case, id=f"{path.stem}-{case['id']}"))
    return params


def _merge(into: dict[str, Any], changes: dict[str, Any]) -> None:
    for key, value in changes.items():
        if value is None:
            into.pop(key, None)
        else:
            into[key] = value


def _dashboard(case: dict[str, Any]) -> dict[str, Any]:
    dashboard = copy.deepcopy(BASE)
    _merge(dashboard["panels"][0], case.get("row", {}))
    panel = dashboard["panels"][1]
    _merge(panel, case.get("panel", {}))
    if panel.get("targets"):
        _merge(panel["targets"][0], case.get("target", {}))
    variables = dashboard["templating"]["list"]
    if "variable" in case:
        named = next(v for v in variables if v["name"] == case["variable"]["name"])
        _merge(named, case["variable"])
    variables.extend(case.get("variables_extra", []))
    if "remove_variable" in case:
        variables[:] = [v for v in variables if v["name"] != case["remove_variable"]]
    return dashboard


@pytest.mark.parametrize(("codes", "case"), _load_cases())
def test_rule_cases(codes: list[str], case: dict[str, Any]) -> None:
    rules = [RULES_BY_CODE[code]() for code in codes]
    problems = lint_dashboard(_dashboard(case), rules=rules, options=OPTIONS)
    got = [(p.severity.name.lower(), p.message) for p in problems]
    assert len(got) == len(case["expect"]), got
    for (severity, message), (want_severity, want_text) in zip(got, case["expect"], strict=True):
        assert severity == want_severity
        assert want_text in message
    if "span" in case:  # the caret lands on this text
        (problem,) = problems
        assert problem.text is not None and problem.span is not None
        assert problem.text[slice(*problem.span)] == case["span"]


def test_base_dashboard_passes_every_rule() -> None:
    assert lint_dashboard(copy.deepcopy(BASE), options=OPTIONS) == []


def test_every_rule_has_cases_and_documents_itself() -> None:
    covered = {code for codes, _ in (p.values for p in _load_cases()) for code in codes}
    for rule in ALL_RULES:
        assert rule.code in covered, f"{rule.code} has no cases"
        doc = rule.__doc__ or ""
        assert "**Anti-pattern**" in doc and "**Best practice**" in doc, rule.code
        assert rule.description() and not rule.description().startswith("**")


def test_rule_codes_and_names_are_unique() -> None:
    assert len({r.code for r in ALL_RULES}) == len(ALL_RULES)
    assert len({r.name for r in ALL_RULES}) == len(ALL_RULES)


def test_problem_locations_name_panel_and_target() -> None:
    case = {"target": {"expr": "sum(rate(envoy_cluster_upstream_rq_total[5m]))"}}
    [problem] = lint_dashboard(_dashboard(case), rules=[RULES_BY_CODE["MD102"]()], options=OPTIONS)
    assert (
        problem.location.describe() == 'dashboard "Lint base" panel "Request rate" (id 2) target A'
    )
    assert problem.text is not None and problem.span is not None
    assert problem.text[problem.span[0] : problem.span[1]] == "5m"


def test_select_rules_disables_and_rejects_unknown_codes() -> None:
    from generator.errors import ConfigError

    codes = {r.code for r in select_rules(["MD302"])}
    assert "MD302" not in codes and "MD301" in codes
    with pytest.raises(ConfigError, match="MD999"):
        select_rules(["MD999"])
