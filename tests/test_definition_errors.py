"""Definition mistakes are blamed on the right place, and wrong types on the right option.

A mistake inside a helper (`dashboards/_team_panels.py`) is reported at the helper's
own line, with the dashboard file that reached it; `meshdash --traceback` shows the
whole trace. Flavors are accepted by name and any grafanalib panel is sized in a Row.
"""

from __future__ import annotations

import inspect
import json
import re
from pathlib import Path

import pytest
from grafanalib._gen import DashboardEncoder
from grafanalib.core import GaugePanel, GridPos, Stat, Table, Target, TimeSeries

from generator import variables
from generator.cli import cli
from generator.dashboard import Dashboard, Row
from generator.errors import FlavorError
from generator.flavors import CONSUL, ENVOY, ISTIO
from generator.panels import http, latency, overview, retries, upstreams
from generator.queries import render_query
from generator.render.grafana_json import render_dashboard
from tests.conftest import ROOT
from tests.test_schema import _violations

USES_HELPER = """\
from generator.dashboard import Dashboard, Row

from _team_panels import team_panel

D = Dashboard(uid="team", title="Team", rows=[Row("r", [team_panel()])])
"""

# helper source, the blamed location and message, the dashboard line that reached it
HELPER_CASES = {
    "syntax error": (
        "from generator.panels import http\n\n\ndef team_panel():\n"
        "    return http.downstream_request_rate(\n",
        "_team_panels.py:5: syntax error: '(' was never closed",
        3,
    ),
    "missing module": (
        "import team_metrics_catalogue\n",
        "_team_panels.py:1: ModuleNotFoundError: No module named 'team_metrics_catalogue'",
        3,
    ),
    "exception in a helper function": (
        "LIMITS = {}\n\n\ndef team_panel():\n    return LIMITS['checkout']\n",
        "_team_panels.py:5: KeyError: 'checkout'",
        5,
    ),
    "unset environment variable": (
        "import os\n\n\ndef team_panel():\n    return os.environ['MESHDASH_TEST_UNSET_TITLE']\n",
        "_team_panels.py:5: environment variable MESHDASH_TEST_UNSET_TITLE is not set",
        5,
    ),
    "meshdash error in a helper function": (
        "from generator.panels import http\n\n\ndef team_panel():\n"
        "    return http.downstream_request_rate(flavor='linkerd')\n",
        "_team_panels.py:5: unknown mesh flavor 'linkerd'; known flavors: consul, envoy",
        5,
    ),
    "a helper's own helper": (
        "from _team_queries import team_panel\n",
        "_team_queries.py:2: ZeroDivisionError: division by zero",
        5,
    ),
}


def _team_folder(tmp_path: Path, helper: str) -> Path:
    folder = tmp_path / "dashboards"
    folder.mkdir()
    (folder / "team.py").write_text(USES_HELPER)
    (folder / "_team_panels.py").write_text(helper)
    (folder / "_team_queries.py").write_text("def team_panel():\n    return 1 / 0\n")
    return folder


def _build(run_cli, folder: Path, *global_options: str):
    out = folder.parent / "out"
    return run_cli(*global_options, "build", "--dashboards", str(folder), "--out", str(out))


@pytest.mark.parametrize("case", sorted(HELPER_CASES))
def test_a_mistake_in_a_helper_names_the_helper_line_and_the_dashboard(
    run_cli, tmp_path: Path, case: str
) -> None:
    helper, blamed, line = HELPER_CASES[case]
    folder = _team_folder(tmp_path, helper)

    result = _build(run_cli, folder)

    assert result.exit_code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert f"meshdash: error: {folder / blamed}" in lines[0], lines[0]
    assert f"(via {folder / 'team.py'}:{line})" in lines[0], lines[0]
    assert "Traceback" not in result.err
    assert not (tmp_path / "out" / "team.json").exists()


def test_a_syntax_error_in_the_dashboard_itself_names_its_own_line(run_cli, tmp_path: Path) -> None:
    folder = _team_folder(tmp_path, "def team_panel():\n    return None\n")
    (folder / "team.py").write_text(USES_HELPER + "\nBROKEN = [\n")
    result = _build(run_cli, folder)
    assert result.exit_code == 2
    assert result.err.strip() == (
        f"meshdash: error: {folder / 'team.py'}:7: syntax error: '[' was never closed; "
        "fix the file and build again"
    )


@pytest.mark.parametrize("how", ["before the command", "after the command", "environment"])
def test_traceback_shows_the_whole_trace_then_the_one_line(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    helper, blamed, _ = HELPER_CASES["exception in a helper function"]
    folder = _team_folder(tmp_path, helper)
    if how == "environment":
        monkeypatch.setenv("MESHDASH_TRACEBACK", "1")
    if how == "after the command":
        out = str(tmp_path / "out")
        result = run_cli("build", "--dashboards", str(folder), "--out", out, "--traceback")
    else:
        result = _build(run_cli, folder, *(["--traceback"] if how.startswith("before") else []))

    assert result.exit_code == 2
    assert result.err.startswith("Traceback (most recent call last):")
    # the user's own frames, innermost last, with the source line
    helper_frame = f'File "{(folder / "_team_panels.py").resolve()}", line 5, in team_panel'
    dashboard_frame = f'File "{(folder / "team.py").resolve()}", line 5, in <module>'
    assert dashboard_frame in result.err and helper_frame in result.err
    assert result.err.index(dashboard_frame) < result.err.index(helper_frame)
    assert "return LIMITS['checkout']" in result.err
    assert result.err.strip().splitlines()[-1].startswith(f"meshdash: error: {folder / blamed}")


def test_without_traceback_a_later_run_in_the_same_process_is_one_line_again(
    run_cli, tmp_path: Path
) -> None:
    folder = _team_folder(tmp_path, HELPER_CASES["missing module"][0])
    assert "Traceback" in _build(run_cli, folder, "--traceback").err
    assert "Traceback" not in _build(run_cli, folder).err


def _flavored_builders() -> list:
    modules = (http, upstreams, latency, retries, overview, variables)
    return [
        function
        for module in modules
        for name, function in inspect.getmembers(module, inspect.isfunction)
        if function.__module__ == module.__name__
        and not name.startswith("_")
        and "flavor" in inspect.signature(function).parameters
    ]


def _json(obj: object) -> str:
    return json.dumps(obj.to_json_data(), cls=DashboardEncoder, sort_keys=True)


@pytest.mark.parametrize("builder", _flavored_builders(), ids=lambda f: f.__name__)
def test_every_builder_taking_a_flavor_accepts_it_by_name(builder) -> None:
    built = {}
    for flavor in (CONSUL, ENVOY, ISTIO):
        try:
            by_object = _json(builder(flavor=flavor))
        except FlavorError:
            continue  # a panel of what only some meshes have (Istio's response flags)
        assert _json(builder(flavor=flavor.name)) == by_object
        built[flavor.name] = by_object
    assert built
    assert len(set(built.values())) == len(built), "each flavor gives its own panel"


def test_the_flavor_builders_are_all_found() -> None:
    names = {f.__name__ for f in _flavored_builders()}
    assert {"downstream_request_rate", "upstream_latency", "service_request_rate"} <= names
    assert {"service", "upstream"} <= names


RAW_TARGETS = [Target(expr="sum(rate(envoy_cluster_upstream_rq[$__rate_interval]))", refId="A")]


def test_grafanalib_panels_without_grid_pos_get_the_default_size(grafana_schema) -> None:
    panels = [
        Stat(title="Stat", description="s", targets=RAW_TARGETS),
        GaugePanel(title="Gauge", description="g", targets=RAW_TARGETS),
        Table(title="Table", description="t", targets=RAW_TARGETS),
        TimeSeries(title="Series", description="ts", targets=RAW_TARGETS),
        Stat(title="Sized", targets=RAW_TARGETS, gridPos=GridPos(h=4, w=6, x=9, y=9)),
    ]
    data = render_dashboard(Dashboard(uid="raw", title="Raw", rows=[Row("r", panels)]))

    placed = {p["title"]: p["gridPos"] for p in data["panels"] if p["type"] != "row"}
    assert placed == {
        "Stat": {"h": 8, "w": 12, "x": 0, "y": 1},
        "Gauge": {"h": 8, "w": 12, "x": 12, "y": 1},
        "Table": {"h": 8, "w": 12, "x": 0, "y": 9},
        "Series": {"h": 8, "w": 12, "x": 12, "y": 9},
        "Sized": {"h": 4, "w": 6, "x": 0, "y": 17},
    }
    assert _violations(data, grafana_schema) == []


README = (ROOT / "README.md").read_text()


def _readme_section(title: str) -> str:
    return README.split(f"\n## {title}\n", 1)[1].split("\n## ", 1)[0]


def test_every_global_option_is_in_the_readme_commands_section() -> None:
    commands = _readme_section("Commands")
    options = [
        name
        for param in cli.params
        if param.name != "version"
        for name in param.opts
        if name.startswith("--")
    ]
    assert "--traceback" in options
    for option in options:
        assert f"`meshdash {option}" in commands, option


def test_the_readme_example_of_a_helper_error_is_what_meshdash_prints(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    example = re.search(r"`(dashboards/_team_panels\.py:40: .*?)`", _readme_section("Commands"))
    assert example
    monkeypatch.chdir(tmp_path)
    _team_folder(tmp_path, "\n" * 38 + "def team_panel():\n    return dict(\n")
    result = run_cli("build", "--dashboards", "dashboards", "--out", "out")
    assert result.exit_code == 2
    assert result.err.strip() == f"meshdash: error: {example.group(1)}"


def test_render_query_takes_a_flavor_by_name() -> None:
    params = {"service": "$service", "upstream": "$upstream", "metric": "envoy_cluster_upstream_rq"}
    by_name = render_query("upstream/request_rate", flavor="envoy", **params)
    assert by_name == render_query("upstream/request_rate", flavor=ENVOY, **params)
    assert 'envoy_cluster_name=~"$upstream"' in by_name
    with pytest.raises(FlavorError, match="unknown mesh flavor 'linkerd'; known flavors: consul"):
        render_query("upstream/request_rate", flavor="linkerd", **params)


def test_a_helper_is_named_relative_to_the_folder_as_given(
    run_cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _team_folder(tmp_path, HELPER_CASES["missing module"][0])
    monkeypatch.chdir(folder)
    result = run_cli("build", "--dashboards", ".", "--out", str(tmp_path / "out"))
    assert result.exit_code == 2
    assert result.err.strip() == (
        "meshdash: error: _team_panels.py:1: ModuleNotFoundError: "
        "No module named 'team_metrics_catalogue' (via team.py:3)"
    )
