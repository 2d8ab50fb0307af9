"""Bad input: one clear line naming the culprit, exit 2, no half-written output."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

GOOD = """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

D = Dashboard(uid="{uid}", title="{title}", variables=[datasource(), service()],
              rows=[Row("r", [http.downstream_request_rate()])])
"""


@pytest.fixture
def project(tmp_path: Path) -> tuple[Path, Path]:
    """A dashboards folder with one good definition, and an output folder."""
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    (dashboards / "good.py").write_text(GOOD.format(uid="good", title="Good"))
    return dashboards, tmp_path / "out"


def _build(run_cli, dashboards: Path, out: Path, *extra: str):
    return run_cli("build", "--dashboards", str(dashboards), "--out", str(out), *extra)


CASES = {
    "syntax error": ("def broken(:\n", r"bad.py:1: syntax error"),
    "exception": ("x = 1\nraise RuntimeError('boom')\n", r"bad.py:2: RuntimeError: boom"),
    "missing template": (
        "from generator.queries import render_query\n\nQ = render_query('http/nope')\n",
        r"bad.py:3: query template 'http/nope.promql.j2' not found",
    ),
    "missing parameter": (
        "from generator.queries import render_query\n\n"
        "Q = render_query('http/downstream_request_rate', service='$service')\n",
        r"bad.py:3: query template 'http/downstream_request_rate.promql.j2': 'flavor' is undefined",
    ),
    "unknown flavor": (
        "from generator.flavors import get_flavor\n\nF = get_flavor('linkerd')\n",
        r"bad.py:3: unknown mesh flavor 'linkerd'; known flavors: consul, envoy, istio",
    ),
    "long uid": (
        GOOD.format(uid="x" * 41, title="Long"),
        "has uid 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'; a uid is 1 to 40",
    ),
    "not a panel": (
        "from generator.dashboard import Dashboard, Row\n\n"
        "D = Dashboard(uid='x', title='X', rows=[Row('r', ['text'])])\n",
        "bad.py:3: row 'r': panel 1 is 'text' (a str), not a panel; use a builder from "
        "generator.panels",
    ),
    "rows not a list": (
        "from generator.dashboard import Dashboard\n\nD = Dashboard(uid='x', title='X', rows=None)\n",
        "bad.py:3: dashboard 'X': rows must be a list, got None",
    ),
    "panel too wide": (
        "from generator.dashboard import Dashboard, Row\nfrom generator.panels import http\n\n"
        "D = Dashboard(uid='wide', title='W', rows=[Row('r', [http.downstream_request_rate(width=30)])])\n",
        "bad.py:4: panel 'Inbound requests by response class': width must be an int from 1 to 24, "
        "got 30",
    ),
    "duplicate uid": (
        GOOD.format(uid="good", title="Twin"),
        "dashboard 'Good' reuses uid 'good' of 'Twin' in ",
    ),
}

# Wrong types a real user writes: each one line naming the file, the line and the option.
PRELUDE = (
    "from generator.dashboard import Dashboard, Row\n"
    "from generator.panels import http, latency, overview\n"
    "from generator.panels.common import target\n"
    "from generator.variables import service\n"
    "from grafanalib.core import Graph, GridPos, RowPanel, SingleStat, Stat\n"
)
RATE = "http.downstream_request_rate"
RATE_TITLE = "panel 'Inbound requests by response class'"
WRONG_TYPES = {
    "width as text": (
        f"[Row('r', [{RATE}(width='12')])]",
        f"bad.py:6: {RATE_TITLE}: width must be an int from 1 to 24, got '12' (a str)",
    ),
    "negative height": (
        "[Row('r', [Stat(title='S', gridPos=GridPos(h=-3, w=6, x=0, y=0))])]",
        "bad.py:6: panel 'S': height must be an int of at least 1, got -3",
    ),
    "gridPos not a GridPos": (
        "[Row('r', [Stat(title='S', gridPos=(6, 4))])]",
        "bad.py:6: panel 'S': gridPos must be a GridPos (or leave it out",
    ),
    "panel title not text": (
        "[Row('r', [Stat(title=5)])]",
        "bad.py:6: panel 5: title must be text, got 5 (an int)",
    ),
    "panel class, not instance": (
        "[Row('r', [Stat])]",
        "bad.py:6: row 'r': panel 1 is the class Stat, not a panel; create one: Stat(...)",
    ),
    "builder not called": (
        f"[Row('r', [{RATE}])]",
        "bad.py:6: row 'r': panel 1 is the function downstream_request_rate, not a panel; "
        "call it: downstream_request_rate()",
    ),
    "None among panels": (
        f"[Row('r', [{RATE}(), None])]",
        "bad.py:6: row 'r': panel 2 is None, not a panel",
    ),
    "panels not a list": (
        f"[Row('r', {RATE}())]",
        "bad.py:6: row 'r': panels must be a list, got a TimeSeries",
    ),
    "None among rows": (
        f"[Row('r', [{RATE}()]), None]",
        "bad.py:6: dashboard 'X': a row is None, not a Row; use Row(...)",
    ),
    "row title not text": (
        f"[Row(['r'], [{RATE}()])]",
        "bad.py:6: row ['r']: title must be text or None, got ['r'] (a list)",
    ),
    "repeat not a name": (
        f"[Row('r', [{RATE}()], repeat=True)]",
        "bad.py:6: row 'r': repeat must be the name of a variable, got True (a bool)",
    ),
    "quantiles not a list": (
        "[Row('r', [latency.upstream_latency(quantiles=0.99)])]",
        "bad.py:6: panel 'Upstream latency to $upstream': quantiles must be a list such as "
        "[0.5, 0.99], got 0.99 (a float)",
    ),
    "quantile as a percentile": (
        "[Row('r', [latency.upstream_latency(quantiles=[50, 99])])]",
        "bad.py:6: panel 'Upstream latency to $upstream': a quantile must be a number between "
        "0 and 1 (0.99 for p99), got 50 (an int)",
    ),
    "quantile as text": (
        "[Row('r', [overview.service_latency(quantile='0.99')])]",
        "bad.py:6: panel 'service latency': a quantile must be a number between 0 and 1",
    ),
    "a target that is a bare query": (
        "[Row('r', [Stat(title='S', targets=['up'])])]",
        "bad.py:6: panel 'S': targets must be a list of target(...), one is 'up' (a str)",
    ),
    "legend not text": (
        "[Row('r', [Stat(title='S', targets=[target('up', legend=5)])])]",
        "bad.py:6: panel 'S': target A legend must be text, got 5 (an int)",
    ),
    "a row panel inside a row": (
        "[Row('r', [RowPanel(title='inner')])]",
        "bad.py:6: row 'r': panel 1 is a RowPanel; a row is Row(...) in the dashboard's rows",
    ),
    "a retired Graph panel": (
        "[Row('r', [Graph(title='Old')])]",
        "bad.py:6: row 'r': panel 1 ('Old') is a Graph, an Angular panel Grafana retired "
        "(removed in Grafana 12); use TimeSeries(...)",
    ),
    "a retired SingleStat panel": (
        "[Row('r', [SingleStat(title='Old')])]",
        "bad.py:6: row 'r': panel 1 ('Old') is a SingleStat, an Angular panel Grafana retired "
        "(removed in Grafana 12); use Stat(...)",
    ),
    "flavor by unknown name": (
        f"[Row('r', [{RATE}(flavor='linkerd')])]",
        "bad.py:6: unknown mesh flavor 'linkerd'; known flavors: consul, envoy, istio",
    ),
    "flavor of the wrong type": (
        f"[Row('r', [{RATE}(flavor=3)])]",
        "bad.py:6: flavor must be a Flavor or one of the names consul, envoy, istio, got 3 (an int)",
    ),
}
WRONG_DASHBOARDS = {
    "variable not called": (
        "Dashboard(uid='x', title='X', variables=[service], rows=[])",
        "bad.py:6: dashboard 'X': a variable is the function service, not a variable; "
        "call it: service()",
    ),
    "variable of the wrong type": (
        "Dashboard(uid='x', title='X', variables=['service'], rows=[])",
        "bad.py:6: dashboard 'X': a variable is 'service' (a str), not a variable; "
        "use generator.variables",
    ),
    "dashboard title not text": (
        "Dashboard(uid='x', title=7, rows=[])",
        "bad.py:6: dashboard title must be text, got 7 (an int)",
    ),
    "folder not text": (
        "Dashboard(uid='x', title='X', folder=['Team'], rows=[])",
        "bad.py:6: dashboard 'X': folder must be text or None, got ['Team'] (a list)",
    ),
    "variables flavor by unknown name": (
        "Dashboard(uid='x', title='X', variables=[service(flavor='linkerd')], rows=[])",
        "bad.py:6: unknown mesh flavor 'linkerd'; known flavors: consul, envoy, istio",
    ),
}
CASES.update(
    {
        name: (f"{PRELUDE}D = Dashboard(uid='x', title='X', rows={rows})\n", expected)
        for name, (rows, expected) in WRONG_TYPES.items()
    }
)
CASES.update(
    {
        name: (f"{PRELUDE}D = {dashboard}\n", expected)
        for name, (dashboard, expected) in WRONG_DASHBOARDS.items()
    }
)


@pytest.mark.parametrize("case", sorted(CASES))
def test_bad_definition_is_one_line_exit_2_and_writes_nothing(run_cli, project, case) -> None:
    dashboards, out = project
    source, expected = CASES[case]
    first = _build(run_cli, dashboards, out)
    assert first.exit_code == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}
    (dashboards / "bad.py").write_text(source)

    result = _build(run_cli, dashboards, out)

    assert result.exit_code == 2
    lines = result.err.strip().splitlines()
    assert len(lines) == 1, result.err
    assert expected in lines[0], lines[0]
    assert "Traceback" not in result.err
    # other dashboards' outputs untouched, nothing new, no temp files left
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before


def test_out_pointing_at_a_file_is_a_clear_error(run_cli, project) -> None:
    dashboards, out = project
    out.write_text("not a folder")
    result = _build(run_cli, dashboards, out)
    assert result.exit_code == 2
    assert result.err == f"meshdash: error: output folder {out} is a file; give a folder (--out)\n"


def test_out_below_a_file_is_a_clear_error(run_cli, project) -> None:
    dashboards, out = project
    out.write_text("not a folder")
    result = _build(run_cli, dashboards, out / "sub")
    assert result.exit_code == 2
    assert f"cannot create output folder {out / 'sub'}" in result.err


def test_missing_dashboards_folder_says_how_to_fix(run_cli, tmp_path) -> None:
    result = _build(run_cli, tmp_path / "nowhere", tmp_path / "out")
    assert result.exit_code == 2
    assert result.err == (
        f"meshdash: error: dashboards folder {tmp_path / 'nowhere'} not found; give the folder "
        "that holds the dashboard definitions (--dashboards DIR, or [tool.meshdash] dashboards "
        "in pyproject.toml)\n"
    )


def test_check_names_drifted_missing_and_stale_files(run_cli, project) -> None:
    dashboards, out = project
    (dashboards / "gone.py").write_text(GOOD.format(uid="gone", title="Gone"))
    assert _build(run_cli, dashboards, out).exit_code == 0
    assert _build(run_cli, dashboards, out, "--check").exit_code == 0

    (out / "good.json").write_text((out / "good.json").read_text().replace("Good", "Edited"))
    (dashboards / "second.py").write_text(GOOD.format(uid="second", title="Second"))
    (dashboards / "gone.py").unlink()
    result = _build(run_cli, dashboards, out, "--check")

    assert result.exit_code == 1
    assert f"{out / 'good.json'}: differs" in result.err
    assert f"{out / 'second.json'}: missing" in result.err
    assert f"{out / 'gone.json'}: stale" in result.err
    assert (out / "good.json").read_text().count("Edited") == 1  # --check wrote nothing


def test_rebuild_reports_unchanged_and_removes_stale_outputs(run_cli, project) -> None:
    dashboards, out = project
    (dashboards / "old.py").write_text(GOOD.format(uid="old", title="Old"))
    _build(run_cli, dashboards, out)
    (dashboards / "old.py").unlink()
    (out / "foreign.json").write_text('{"title": "not ours"}')
    shutil.copy(out / "good.json", out / "copy.json")  # meshdash-built, but not written here
    result = _build(run_cli, dashboards, out)
    assert result.exit_code == 0
    assert f"unchanged {out / 'good.json'}" in result.out
    assert f"removed   {out / 'old.json'}" in result.out
    assert not (out / "old.json").exists() and (out / "foreign.json").exists()
    assert (out / "copy.json").exists()


def test_list_shows_dashboards_panels_and_queries(run_cli, shipped_dir) -> None:
    result = run_cli("list", "--dashboards", str(shipped_dir))
    assert result.exit_code == 0
    assert "meshdash-service  Service mesh / Service" in result.out
    assert "row: Upstream: $service -> $upstream (repeated per $upstream)" in result.out
    assert "[timeseries] Upstream latency to $upstream" in result.out
    assert "histogram_quantile(0.99, sum by (le, consul_destination_service)" in result.out


HELPER = """
TITLE = {title!r}
"""

USES_HELPER = """
from _helpers import TITLE
from generator.dashboard import Dashboard, Row
from generator.panels import http

D = Dashboard(uid="h", title=TITLE, rows=[Row("r", [http.downstream_request_rate()])])
"""


def test_same_named_helpers_in_two_folders_do_not_leak(run_cli, tmp_path: Path) -> None:
    """Two builds in one process each see their own `_helpers.py`."""
    titles = []
    for name in ("first", "second"):
        folder = tmp_path / name
        folder.mkdir()
        (folder / "_helpers.py").write_text(HELPER.format(title=name.title()))
        (folder / "uses.py").write_text(USES_HELPER)
        out = tmp_path / f"out-{name}"
        assert _build(run_cli, folder, out).exit_code == 0
        titles.append(json.loads((out / "h.json").read_text())["title"])
    assert titles == ["First", "Second"]
