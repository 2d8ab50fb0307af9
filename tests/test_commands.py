"""Commands stay thin: click only in generator/commands (and the dispatcher), no command
importing another, commands returning exit codes, one Duration parameter type."""

from __future__ import annotations

import ast
from pathlib import Path

import click
import pytest

from generator import errors
from generator.cli import COMMANDS, main
from generator.commands.params import Duration, seconds
from generator.commands.sandbox import sandbox_command

PACKAGE = Path(__file__).resolve().parent.parent / "generator"
COMMAND_MODULES = {target.split(":")[0] for target in COMMANDS.values()}


def _module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every module ``path`` imports, at any depth (also inside functions)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


MODULES = {_module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def test_every_dispatched_command_is_a_module_of_the_package() -> None:
    assert set(MODULES) >= COMMAND_MODULES
    assert len(COMMAND_MODULES) == len(COMMANDS)


def test_no_module_outside_commands_imports_click() -> None:
    allowed = {"generator.cli"}
    users = {
        name
        for name, path in MODULES.items()
        if any(imported == "click" or imported.startswith("click.") for imported in _imports(path))
    }
    outside = {name for name in users - allowed if not name.startswith("generator.commands.")}
    assert outside == set()
    assert users >= COMMAND_MODULES  # the walk does see click where it is


def test_no_command_module_imports_another_command_module() -> None:
    crossing = {
        name: sorted(_imports(MODULES[name]) & (COMMAND_MODULES - {name}))
        for name in COMMAND_MODULES
    }
    assert {name: found for name, found in crossing.items() if found} == {}


def test_problems_found_is_a_result_not_an_error() -> None:
    assert not hasattr(errors, "ProblemsFound")
    assert {cls.exit_code for cls in _subclasses(errors.MeshdashError)} == {2}


def _subclasses(cls: type[errors.MeshdashError]) -> list[type[errors.MeshdashError]]:
    return [cls, *(sub for child in cls.__subclasses__() for sub in _subclasses(child))]


@pytest.mark.parametrize(
    ("text", "bounds", "message"),
    [
        ("soon", {}, "--scrape-interval 'soon' is not a duration like 30m, 1h or 15s"),
        ("50ms", {"minimum": "100ms", "maximum": "60s"}, "must be between 100ms and 60s"),
        ("2m", {"minimum": "100ms", "maximum": "60s"}, "'2m' must be between 100ms and 60s"),
        ("0", {}, "'0' is not a duration"),
    ],
)
def test_duration_refuses_with_one_line_naming_the_flag(
    text: str, bounds: dict[str, str], message: str
) -> None:
    option = click.Option(["--scrape-interval"], type=Duration(**bounds))
    with pytest.raises(errors.ConfigError) as caught:
        option.type.convert(text, option, None)
    assert message in str(caught.value)


@pytest.mark.parametrize("text", ["15s", " 500ms", "1.5", "60s", "100ms"])
def test_duration_keeps_the_text_it_accepts(text: str) -> None:
    option = click.Option(["--scrape-interval"], type=Duration("100ms", "60s"))
    assert option.type.convert(text, option, None) == text.strip()


def test_a_bad_duration_on_the_command_line_is_exit_2_and_one_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sandbox", "--scrape-interval", "90s", "--duration", "0"]) == 2
    err = capsys.readouterr().err
    assert err == "meshdash: error: --scrape-interval '90s' must be between 100ms and 60s\n"


@pytest.mark.parametrize(("text", "expected"), [("10m", 600.0), ("90s", 90.0), ("60", 60.0)])
def test_sandbox_duration_takes_the_one_duration_syntax(text: str, expected: float) -> None:
    """``sandbox --duration`` reads ``10m`` like every other duration flag (parsed only)."""
    context = sandbox_command.make_context("sandbox", ["--duration", text])
    assert seconds(context.params["duration"]) == expected


def test_a_bad_sandbox_duration_is_one_line_naming_the_flag(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["sandbox", "--duration", "5x"]) == 2
    err = capsys.readouterr().err
    assert err == "meshdash: error: --duration '5x' is not a duration like 30m, 1h or 15s\n"


@pytest.mark.parametrize(
    "argv",
    [
        ["validate", "--prometheus", "http://127.0.0.1:1"],
        ["push", "--url", "http://127.0.0.1:1", "--dry-run"],
        ["diff", "--url", "http://127.0.0.1:1"],
    ],
)
def test_a_token_file_that_is_a_folder_is_one_line_naming_it(
    argv: list[str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """As a missing or empty token file: one line naming it, not click's usage block."""
    for name in ("GRAFANA_TOKEN", "GRAFANA_USER", "GRAFANA_PASSWORD", "PROMETHEUS_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    folder = tmp_path / "secrets"
    folder.mkdir()

    assert main([*argv, "--token-file", str(folder)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"meshdash: error: the token file {folder} ")
    assert "cannot be read" in err and err.count("\n") == 1


def test_every_command_returns_an_exit_code() -> None:
    """Each dispatched callback is annotated ``-> int`` and ends in a ``return``."""
    for target in COMMANDS.values():
        module, attribute = target.split(":")
        tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
        [function] = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.FunctionDef) and node.name == attribute
        ]
        assert ast.unparse(function.returns) == "int", target  # type: ignore[arg-type]
        assert isinstance(function.body[-1], ast.Return), target
