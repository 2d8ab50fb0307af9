"""`meshdash preview` from the command line: files, progress lines, one-line errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

import pytest

from generator.promql.dashboard import may_be_empty_query
from tests.conftest import SHIPPED_UIDS, CliResult, build_shipped
from tests.preview.conftest import NEEDS_MATPLOTLIB, PreviewBox

pytest.importorskip("matplotlib", reason=NEEDS_MATPLOTLIB)

#: Per shipped dashboard, the panels every query of which is declared may-be-empty.
QUIET_PANELS = {
    item.uid: sum(
        1
        for panel in item.data["panels"]
        if panel.get("targets") and all(may_be_empty_query(t["expr"]) for t in panel["targets"])
    )
    for item in build_shipped()
}


def test_writes_a_png_and_a_page_per_dashboard_and_an_index(
    preview_box: PreviewBox, run_cli: Callable[..., CliResult], shipped_dir: Path, tmp_path: Path
) -> None:
    out = tmp_path / "preview"
    shipped = ["--dashboards", str(shipped_dir)]
    result = run_cli(
        "preview", *preview_box.cli_args(), *shipped, "--out", str(out), "--var", "service=api"
    )
    assert result.exit_code == 0, result.err
    # Not a terminal and no -v: only the closing line.
    assert result.out.splitlines() == [
        f"preview: {len(SHIPPED_UIDS)} dashboard(s) drawn; open {out / 'index.html'}"
    ]
    index = (out / "index.html").read_text()
    pages = re.findall(r'<a href="([^"]+\.html)">', index)
    images = re.findall(r'<img [^>]*src="([^"]+)"', index)
    assert sorted(set(pages)) == [f"{uid}.html" for uid in SHIPPED_UIDS]
    for name in [*pages, *images]:
        assert (out / name).is_file(), name
    assert not list(out.glob(".*.tmp"))
    page = (out / "meshdash-service.html").read_text()
    assert "$service = api" in page
    assert 'src="data:image/png;base64,' in page
    assert not re.search(r'(src|href)="https?:', page), "a page must not load from the network"


@pytest.mark.parametrize("how", ["-v", "terminal"])
def test_verbose_or_a_terminal_prints_one_line_per_dashboard(
    preview_box: PreviewBox,
    run_cli: Callable[..., CliResult],
    shipped_dir: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    how: str,
) -> None:
    flags = ["--dashboards", str(shipped_dir), "--out", str(tmp_path)]
    if how == "-v":
        flags.append("-v")
    else:
        monkeypatch.setattr("sys.stdout.isatty", lambda: True)
    result = run_cli("preview", *preview_box.cli_args(), *flags)
    assert result.exit_code == 0, result.err
    lines = result.out.splitlines()
    assert [line.split(":")[0] for line in lines[:-1]] == [f"preview {u}" for u in SHIPPED_UIDS]
    service = lines[SHIPPED_UIDS.index("meshdash-service")]
    assert re.fullmatch(
        r"preview meshdash-service: \d+ panel\(s\), 0 without data, 1440x\d+ px", service
    )


def test_a_value_the_variable_does_not_have_is_one_line_exit_2(
    preview_box: PreviewBox, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    result = run_cli(
        "preview", *preview_box.cli_args(), "--out", str(tmp_path), "--var", "service=apii"
    )
    assert result.exit_code == 2
    assert result.err.count("\n") == 1
    assert ": service=apii is not a value of $service" in result.err
    assert result.err.endswith("; pick one of them (--var NAME=VALUE)\n")
    assert "api" in result.err.split("its values:")[1]
    assert not list(tmp_path.iterdir()), "nothing is written when the input is wrong"


def test_a_variable_no_dashboard_has_is_one_line_exit_2(
    run_cli: Callable[..., CliResult], shipped_dir: Path, tmp_path: Path
) -> None:
    result = run_cli("preview", "--prometheus", "http://127.0.0.1:9", "--var", "servce=api",
                     "--dashboards", str(shipped_dir), "--out", str(tmp_path / "p"))  # fmt: skip
    assert result.exit_code == 2
    assert "--var servce: no dashboard has a variable 'servce'" in result.err
    assert "service" in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "p").exists()


TWO_DASHBOARDS = {
    # Drawn first, and fine: it has no $upstream for --var upstream= to be wrong about.
    "a_first.py": """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

FIRST = Dashboard(uid="a-first", title="First", variables=[datasource(), service()],
                  rows=[Row("In", [http.downstream_request_rate()])])
""",
    "b_second.py": """
from generator.dashboard import Dashboard, Row
from generator.panels import latency
from generator.variables import datasource, service, upstream

SECOND = Dashboard(uid="b-second", title="Second",
                   variables=[datasource(), service(), upstream()],
                   rows=[Row("Out", [latency.upstream_latency()])])
""",
}


def test_a_bad_value_in_a_later_dashboard_writes_nothing(
    preview_box: PreviewBox, run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    dashboards = tmp_path / "dashboards"
    dashboards.mkdir()
    for name, text in TWO_DASHBOARDS.items():
        (dashboards / name).write_text(text)
    out = tmp_path / "preview"
    out.mkdir()
    (out / "index.html").write_text("the last good run")
    args = [*preview_box.cli_args(), "--dashboards", str(dashboards), "-v"]
    result = run_cli("preview", *args, "--out", str(out), "--var", "upstream=nope")
    assert result.exit_code == 2
    assert "dashboard b-second: upstream=nope is not a value of $upstream" in result.err
    # a-first was drawn before b-second failed, and none of it is left behind.
    assert result.out.startswith("preview a-first: ")
    assert sorted(p.name for p in out.iterdir()) == ["index.html"]
    assert (out / "index.html").read_text() == "the last good run"
    result = run_cli("preview", *args, "--out", str(tmp_path / "new"))
    assert result.exit_code == 0, result.err
    written = sorted(p.name for p in (tmp_path / "new").iterdir())
    assert written == ["a-first.html", "a-first.png", "b-second.html", "b-second.png", "index.html"]


def test_bad_flags_are_one_line_exit_2(run_cli: Callable[..., CliResult], tmp_path: Path) -> None:
    cases = {
        ("--sandbox", "--prometheus", "http://127.0.0.1:9"): "either --prometheus URL or --sandbox",
        ("--prometheus", "http://127.0.0.1:9", "--var", "service"): "is not NAME=VALUE",
        (
            "--prometheus",
            "http://127.0.0.1:9",
            "--range",
            "soon",
        ): "--range 'soon' is not a duration",
    }
    for args, message in cases.items():
        result = run_cli("preview", *args, "--out", str(tmp_path))
        assert result.exit_code == 2, args
        assert message in result.err and result.err.count("\n") == 1, result.err


def test_an_unreachable_prometheus_is_one_line_naming_it(
    run_cli: Callable[..., CliResult], tmp_path: Path
) -> None:
    result = run_cli("preview", "--prometheus", "http://127.0.0.1:9", "--out", str(tmp_path / "p"))
    assert result.exit_code == 2
    assert "http://127.0.0.1:9" in result.err and result.err.count("\n") == 1
    assert not (tmp_path / "p").exists()


def test_sandbox_backfills_the_whole_range_and_every_panel_has_data(
    run_cli: Callable[..., CliResult], shipped_dir: Path, tmp_path: Path
) -> None:
    result = run_cli("preview", "--sandbox", "--range", "5m", "--dashboards", str(shipped_dir),
                     "--out", str(tmp_path), "-v")  # fmt: skip
    assert result.exit_code == 0, result.err
    per_dashboard = result.out.splitlines()[:-1]
    assert len(per_dashboard) == len(SHIPPED_UIDS)
    # Only panels whose every query declares "may be empty" (denials, per-status counters
    # Envoy creates on first use) may have nothing to draw in the quiet sandbox.
    for line in per_dashboard:
        uid, empty = re.match(r"preview (\S+): \d+ panel\(s\), (\d+) without data", line).groups()
        assert int(empty) <= QUIET_PANELS.get(uid, 0), per_dashboard
    page = (tmp_path / "meshdash-service.html").read_text()
    series = [
        json.loads(b) for b in re.findall(r'type="application/json" id="panel-\d+">(.*?)<', page)
    ]
    first_points = [s["times"][0] for block in series for s in block["series"]]
    last_points = [s["times"][-1] for block in series for s in block["series"]]
    # Data from the start of the range: the sandbox's samples cover it all.
    assert first_points and max(last_points) - min(first_points) >= 5 * 60 - 15
