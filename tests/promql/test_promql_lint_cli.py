"""`meshdash lint` end to end, config loading, and the shipped dashboards."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from generator.cli import main
from generator.config import load_config
from generator.errors import ConfigError
from generator.promql.dashboard import iter_targets, sample_variable_values
from generator.promql.lint.engine import lint_dashboard

UNUSED_UPSTREAM = """
from generator.dashboard import Dashboard, Row
from generator.flavors import CONSUL
from generator.panels import overview
from generator.variables import datasource, service, upstream

BROKEN = Dashboard(
    uid="lint-broken",
    title="Lint broken",
    variables=[datasource(), service(flavor=CONSUL), upstream(flavor=CONSUL)],
    rows=[Row("$service", [overview.service_request_rate(flavor=CONSUL)], repeat="service")],
)
"""


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project folder with one dashboard whose $upstream variable is never used."""
    (tmp_path / "dashboards").mkdir()
    (tmp_path / "dashboards" / "broken.py").write_text(UNUSED_UPSTREAM)
    (tmp_path / "pyproject.toml").write_text('[tool.meshdash]\ndashboards = "dashboards"\n')
    monkeypatch.chdir(tmp_path)
    return tmp_path


def test_shipped_dashboards_lint_clean(shipped) -> None:
    assert shipped
    for dashboard in shipped:
        assert lint_dashboard(dashboard.data, source=dashboard.source) == [], dashboard.uid


def test_lint_reports_pint_style_and_exits_1(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint"]) == 1
    out, err = capsys.readouterr()
    assert out.startswith(
        "Warning: $upstream is defined but nothing uses it; use it or remove it "
        '(variables/unused, MD202) ---> dashboards/broken.py: dashboard "Lint broken" '
        "variable $upstream"
    )
    assert "lint found 1 problem(s) at or above warning" in err


def test_fail_on_above_the_problems_exits_0_and_the_summary_counts_them(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--fail-on", "bug"]) == 0
    out, err = capsys.readouterr()
    assert out.startswith("Warning: $upstream is defined but nothing uses it")
    # the one panel of the repeated row; the row is a header, not a panel
    assert out.endswith("\nlint: 1 dashboard(s), 1 panel(s), 1 problem(s) (1 warning(s))\n")
    assert err == ""


def test_json_format(project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    main(["lint", "--format", "json"])
    [problem] = json.loads(capsys.readouterr().out)
    assert problem["code"] == "MD202"
    assert problem["severity"] == "warning"
    assert problem["location"]["variable"] == "upstream"
    assert problem["location"]["source"].endswith("dashboards/broken.py")


def test_disabled_rule_in_pyproject(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.meshdash.lint]\ndisable = ["MD202"]\n')
    assert main(["lint"]) == 0


def test_unknown_disabled_code_is_a_config_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (project / "pyproject.toml").write_text('[tool.meshdash.lint]\ndisable = ["MD999"]\n')
    assert main(["lint"]) == 2
    err = capsys.readouterr().err
    assert "MD999" in err and "pyproject.toml" in err


def test_bad_scrape_interval_is_a_usage_error(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["lint", "--scrape-interval", "often"]) == 2
    assert "--scrape-interval" in capsys.readouterr().err


def test_load_config_walks_up_and_resolves_paths(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.meshdash]\ndashboards = "boards"\n[tool.meshdash.lint]\ndisable = ["MD302"]\n'
    )
    nested = tmp_path / "a" / "b"
    nested.mkdir(parents=True)
    config = load_config(nested)
    assert config.dashboards == tmp_path.resolve() / "boards"
    assert config.queries == tmp_path.resolve() / "queries"
    assert config.lint_disable == ("MD302",)


def test_load_config_rejects_a_non_list_disable(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.meshdash.lint]\ndisable = "MD302"\n')
    with pytest.raises(ConfigError, match="must be a list"):
        load_config(tmp_path)


def test_iter_targets_and_sample_values() -> None:
    dashboard = {
        "templating": {
            "list": [
                {"name": "datasource", "type": "datasource", "query": "prometheus"},
                {"name": "service", "type": "query", "multi": True, "includeAll": True},
                {"name": "upstream", "type": "query"},
                {"name": "env", "type": "custom", "query": "prod, staging"},
                {"name": "other", "type": "query"},
            ]
        },
        "panels": [
            {
                "type": "row",
                "collapsed": True,
                "panels": [
                    {
                        "id": 7,
                        "title": "inner",
                        "targets": [
                            {
                                "refId": "B",
                                "expr": "up",
                                "instant": True,
                                "legendFormat": "{{job}}",
                            },
                            {"refId": "C", "expr": "up", "hide": True},
                        ],
                    },
                ],
            },
            {"id": 8, "title": "text", "type": "text"},
        ],
    }
    [target] = list(iter_targets(dashboard))
    assert (target.panel_title, target.panel_id, target.ref_id) == ("inner", 7, "B")
    assert (target.instant, target.range, target.legend_format) == (True, False, "{{job}}")
    values = sample_variable_values(dashboard)
    assert "datasource" not in values
    assert values["service"].values == ("api",) and values["service"].multi
    assert values["upstream"].values == ("payments",)
    assert values["env"].values == ("prod",)
    assert values["other"].values == ("sample",)
