"""Mistakes Grafana or a disk would only refuse at push time are caught by build and lint."""

from __future__ import annotations

from pathlib import Path

import pytest

DEFINITION = """
from generator.dashboard import Dashboard, Row
from generator.panels import http
from generator.variables import datasource, service

D = Dashboard(uid={uid!r}, title={title!r}, folder={folder!r},
              variables=[datasource(), service()],
              rows=[Row("r", [http.downstream_request_rate()])])
"""

# (first dashboard, second dashboard, what the one line says) per case
CASES = {
    "same title, same folder": (
        ("a", "Payments", "Team"),
        ("b", "payments ", "Team"),
        "b.py: dashboard 'b' has the title 'payments ' of 'a' in {a}, both in folder Team",
    ),
    "same title at the top level": (
        ("a", "Payments", None),
        ("b", "Payments", "General"),
        "both in folder the top level (General)",
    ),
    "uids differing only in case": (
        ("team", "One", None),
        ("Team", "Two", None),
        "b.py: dashboard 'Two' has uid 'Team', which differs only in case from 'team' of "
        "'One' in {a}",
    ),
    "a '..' folder part": (
        ("a", "One", None),
        ("b", "Two", "../Team"),
        "b.py: dashboard 'Two': folder path '../Team' has a '..' part",
    ),
    "a '.' folder part": (
        ("a", "One", None),
        ("b", "Two", "Team/./Sub"),
        "b.py: dashboard 'Two': folder path 'Team/./Sub' has a '.' part",
    ),
    "an empty folder part": (
        ("a", "One", None),
        ("b", "Two", "Team//Sub"),
        "b.py: dashboard 'Two': folder path 'Team//Sub' has an empty part",
    ),
}


def _project(tmp_path: Path, *dashboards: tuple[str, str, str | None]) -> Path:
    directory = tmp_path / "dashboards"
    directory.mkdir()
    for name, (uid, title, folder) in zip("ab", dashboards, strict=True):
        text = DEFINITION.format(uid=uid, title=title, folder=folder)
        (directory / f"{name}.py").write_text(text)
    return directory


@pytest.mark.parametrize("case", sorted(CASES))
def test_build_and_lint_refuse_in_one_line_and_write_nothing(run_cli, tmp_path, case) -> None:
    first, second, expected = CASES[case]
    dashboards = _project(tmp_path, first, second)
    outputs = [tmp_path / "out", tmp_path / "prov", tmp_path / "maps"]

    build = run_cli(
        "build",
        "--dashboards",
        str(dashboards),
        "--out",
        str(outputs[0]),
        "--provisioning",
        str(outputs[1]),
        "--configmap",
        str(outputs[2]),
    )
    lint = run_cli("lint", "--dashboards", str(dashboards))

    for result in (build, lint):
        assert result.exit_code == 2
        (line,) = result.err.strip().splitlines()
        assert expected.format(a=dashboards / "a.py") in line
    assert [path for path in outputs if path.exists()] == []


@pytest.mark.parametrize(
    ("first", "second"),
    [
        (("a", "Payments", "Team"), ("b", "Payments", "Other team")),
        (("a", "Payments", "Team/Sub"), ("b", "Payments", "Team")),
        (("team-a", "One", None), ("team_a", "Two", None)),
    ],
)
def test_what_grafana_accepts_still_builds(run_cli, tmp_path, first, second) -> None:
    dashboards = _project(tmp_path, first, second)

    result = run_cli("build", "--dashboards", str(dashboards), "--out", str(tmp_path / "out"))

    assert result.exit_code == 0, result.err
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json")) == sorted(
        f"{uid}.json" for uid in (first[0], second[0])
    )


def test_uids_that_make_one_configmap_name_are_refused_before_writing(run_cli, tmp_path) -> None:
    dashboards = _project(tmp_path, ("team-a", "One", None), ("team_a", "Two", None))
    out, maps = tmp_path / "out", tmp_path / "maps"

    result = run_cli(
        "build", "--dashboards", str(dashboards), "--out", str(out), "--configmap", str(maps)
    )

    assert result.exit_code == 2
    (line,) = result.err.strip().splitlines()
    assert "'team-a'" in line and "'team_a'" in line and "meshdash-team-a.yaml" in line
    assert not out.exists() and not maps.exists()
