"""A rebuild with unchanged inputs imports nothing; any changed input rebuilds."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

DEFINITION = """
import os
from pathlib import Path

from generator.dashboard import Dashboard, Row
from generator.panels.common import target, timeseries
from generator.queries import render_query
from generator.variables import datasource, service

# Each import leaves a mark, so the tests can tell whether the build imported this file.
with open(Path(__file__).parent.parent / "imports.log", "a") as log:
    log.write("imported\\n")

D = Dashboard(uid="cached", title=os.environ.get("TEAM_TITLE", "Cached"),
              variables=[datasource(), service()],
              rows=[Row("r", [timeseries(title="t", description="d", unit="short",
                  targets=[target(render_query("team/q", service="$service"), legend="{{x}}")])])])
"""


@pytest.fixture
def project(tmp_path: Path) -> dict[str, Path]:
    paths = {
        "dashboards": tmp_path / "dashboards",
        "queries": tmp_path / "queries",
        "out": tmp_path / "out",
    }
    paths["dashboards"].mkdir()
    (paths["dashboards"] / "team.py").write_text(DEFINITION)
    (paths["queries"] / "team").mkdir(parents=True)
    (paths["queries"] / "team" / "q.promql.j2").write_text('up{x=~"<< service >>"}\n')
    return paths


def _build(run_cli, paths: dict[str, Path], *extra: str, code: int = 0):
    result = run_cli(
        "build",
        "--dashboards",
        str(paths["dashboards"]),
        "--queries",
        str(paths["queries"]),
        "--out",
        str(paths["out"]),
        *extra,
    )
    assert result.exit_code == code, result.err
    return result


def _imports(paths: dict[str, Path]) -> int:
    log = paths["dashboards"].parent / "imports.log"
    return log.read_text().count("imported") if log.exists() else 0


def test_unchanged_inputs_skip_the_import(run_cli, project) -> None:
    _build(run_cli, project)
    assert _imports(project) == 1

    result = _build(run_cli, project)

    assert _imports(project) == 1
    assert "nothing rebuilt" in result.out
    assert f"unchanged {project['out'] / 'cached.json'}" in result.out


@pytest.mark.parametrize("change", ["definition", "template", "output"])
def test_a_changed_input_or_output_rebuilds(run_cli, project, change) -> None:
    _build(run_cli, project)
    before = _imports(project)
    output = project["out"] / "cached.json"
    if change == "definition":
        path = project["dashboards"] / "team.py"
        path.write_text(path.read_text().replace('"Cached"', '"Renamed"'))
    elif change == "template":
        (project["queries"] / "team" / "q.promql.j2").write_text('up{y=~"<< service >>"}\n')
    else:
        output.write_text("{}")

    result = _build(run_cli, project)

    assert _imports(project) == before + 1
    assert "nothing rebuilt" not in result.out
    text = output.read_text()
    expected = {"definition": '"Renamed"', "template": "up{y=~", "output": '"Cached"'}[change]
    assert expected in text


@pytest.mark.parametrize("change", ["set", "changed", "unset"])
def test_a_changed_environment_variable_read_by_a_definition_rebuilds(
    run_cli, project, monkeypatch, change
) -> None:
    if change != "set":
        monkeypatch.setenv("TEAM_TITLE", "First")
    _build(run_cli, project)
    assert "nothing rebuilt" in _build(run_cli, project).out
    if change == "unset":
        monkeypatch.delenv("TEAM_TITLE")
    else:
        monkeypatch.setenv("TEAM_TITLE", "From the environment")

    result = _build(run_cli, project)

    assert "nothing rebuilt" not in result.out and _imports(project) == 2
    title = {"unset": '"Cached"'}.get(change, '"From the environment"')
    assert title in (project["out"] / "cached.json").read_text()
    assert _build(run_cli, project, "--check").exit_code == 0
    assert "nothing rebuilt" in _build(run_cli, project).out


def test_an_unrelated_environment_variable_keeps_the_cache(run_cli, project, monkeypatch) -> None:
    _build(run_cli, project)
    monkeypatch.setenv("MESHDASH_TEST_UNRELATED", "x")
    assert "nothing rebuilt" in _build(run_cli, project).out
    cache = (project["out"] / ".meshdash-build-cache").read_text()
    assert "TEAM_TITLE" in cache and "MESHDASH_TEST_UNRELATED" not in cache


def test_a_definition_reading_the_whole_environment_is_never_cached(
    run_cli, project, monkeypatch
) -> None:
    path = project["dashboards"] / "team.py"
    path.write_text(path.read_text() + "\nVARIABLES = dict(os.environ)\n")
    monkeypatch.setenv("TEAM_TITLE", "secret-ish value")
    _build(run_cli, project)

    result = _build(run_cli, project)

    assert "nothing rebuilt" not in result.out and _imports(project) == 2
    assert not (project["out"] / ".meshdash-build-cache").exists()


def test_check_never_trusts_the_cache(run_cli, project) -> None:
    _build(run_cli, project)
    output = project["out"] / "cached.json"
    output.write_text("{}")
    cache = project["out"] / ".meshdash-build-cache"
    record = json.loads(cache.read_text())
    record["outputs"]["cached.json"] = hashlib.sha256(b"{}").hexdigest()
    cache.write_text(json.dumps(record))  # a cache that vouches for a wrong output
    assert "nothing rebuilt" in _build(run_cli, project).out

    result = _build(run_cli, project, "--check", code=1)

    assert f"{output}: differs" in result.err


def test_a_lost_manifest_rebuilds_and_files_meshdash_did_not_write_stay(run_cli, project) -> None:
    _build(run_cli, project)
    copied = project["out"] / "copied.json"
    copied.write_text((project["out"] / "cached.json").read_text())
    (project["out"] / ".meshdash-manifest").unlink()

    result = _build(run_cli, project)

    assert "nothing rebuilt" not in result.out and _imports(project) == 2
    assert "nothing rebuilt" in _build(run_cli, project).out
    assert sorted(os.listdir(project["out"])) == [
        ".meshdash-build-cache",
        ".meshdash-manifest",
        "cached.json",
        "copied.json",
    ]


def test_every_meshdash_source_is_an_input() -> None:
    from generator.outputs import cache

    files = cache._files(str(cache.PACKAGE_DIR))

    assert {"render/jsontext.py", "outputs/cache.py", "panels/common.py", "loader.py"} <= set(files)


def test_the_input_walk_skips_caches_dotfiles_and_linked_folders(tmp_path: Path) -> None:
    from generator.outputs import cache

    for name in ("b.py", "a/z.py", "a-c.py", ".hidden.py", ".d/x.py", "__pycache__/b.pyc"):
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("x")
    (tmp_path / "linked").symlink_to(tmp_path / "a")
    (tmp_path / "link.py").symlink_to(tmp_path / "b.py")
    (tmp_path / "broken.py").symlink_to(tmp_path / "gone.py")

    files = cache._files(str(tmp_path))

    assert files == [".d/x.py", "a/z.py", "a-c.py", "b.py", "link.py"]  # ordered by parts
    expected = sorted(
        p for p in tmp_path.rglob("*") if p.is_file() and "__pycache__" not in p.parts
    )
    assert files == [str(p.relative_to(tmp_path)) for p in expected if p.name[0] != "."]


def test_library_versions_are_the_installed_ones() -> None:
    from importlib.metadata import version

    from generator.outputs import cache

    names = (*cache._LIBRARIES, "no-such-library-at-all")
    assert cache._versions(names) == {
        **{name: version(name) for name in cache._LIBRARIES},
        "no-such-library-at-all": "?",
    }


@pytest.mark.parametrize("edit", ["same size", "truncated", "appended"])
def test_an_output_edited_in_any_way_rebuilds(run_cli, project, edit) -> None:
    _build(run_cli, project)
    output = project["out"] / "cached.json"
    text = output.read_text()
    edited = {
        "same size": text.replace('"Cached"', '"Cachet"'),
        "truncated": text[:-2],
        "appended": text + " ",
    }[edit]
    assert edited != text
    output.write_text(edited)

    result = _build(run_cli, project)

    assert "nothing rebuilt" not in result.out
    assert output.read_text() == text
