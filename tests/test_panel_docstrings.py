"""Every panel builder's docstring shows exactly the PromQL the builder renders.

The builders are found by inspection (every public function of every module in
`generator/panels/` but `common` and the deprecated alias `upstream`), so a new builder is held to this without being listed
here. Each is called with its default options and the Consul flavor, which is what the
docstrings show; the text of its ```promql blocks, in order, must equal its targets'
queries, in order, up to whitespace.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import generator.panels
from generator.flavors import CONSUL, ISTIO, using_flavor

BLOCK = re.compile(r"```promql\n(.*?)```", re.S)
#: helpers, and the deprecated alias generator.panels.upstream (it forwards to `upstreams`)
NOT_BUILDER_MODULES = {"common", "upstream"}
#: builders of what only Istio has; their docstrings show the Istio flavor
ISTIO_ONLY = {
    "security.mtls_share",
    "resilience.failure_flags",
    "resilience.grpc_statuses",
}


def _builders() -> list[tuple[str, Callable[..., Any]]]:
    found = []
    for info in pkgutil.iter_modules(generator.panels.__path__):
        if info.name in NOT_BUILDER_MODULES or info.name.startswith("_"):
            continue
        module = importlib.import_module(f"generator.panels.{info.name}")
        for name, function in inspect.getmembers(module, inspect.isfunction):
            if function.__module__ == module.__name__ and not name.startswith("_"):
                found.append((f"{info.name}.{name}", function))
    return found


BUILDERS = _builders()


def normalized(promql: str) -> str:
    """Whitespace only where it separates two words (`sum by (x)` == `sum by(x)`)."""
    collapsed = re.sub(r"\s+", " ", promql.strip())
    return re.sub(r" (?=\W)|(?<=\W) ", "", collapsed)


def test_the_inspection_finds_the_builders_of_every_panel_module() -> None:
    folder = Path(generator.panels.__file__).parent
    on_disk = {p.stem for p in folder.glob("*.py") if not p.name.startswith("_")}
    assert {name.split(".")[0] for name, _ in BUILDERS} == on_disk - NOT_BUILDER_MODULES
    assert "http.downstream_request_rate" in dict(BUILDERS)


@pytest.mark.parametrize(("name", "builder"), BUILDERS, ids=[name for name, _ in BUILDERS])
def test_docstring_promql_is_what_the_builder_renders(
    name: str, builder: Callable[..., Any]
) -> None:
    blocks = BLOCK.findall(inspect.getdoc(builder) or "")
    assert blocks, f"{name}: its docstring shows no ```promql block"
    flavor = inspect.signature(builder).parameters.get("flavor")
    assert flavor is not None and flavor.default is None, f"{name}: flavor defaults to the current"
    with using_flavor(ISTIO if name in ISTIO_ONLY else CONSUL):
        panel = builder()
    rendered = "\n".join(target.expr for target in panel.targets)
    assert normalized(" ".join(blocks)) == normalized(rendered)


@pytest.mark.parametrize(
    ("text", "same"),
    [
        ('sum by (a) (rate(x{a=~"$s"}[5m]))', True),
        ('sum  by(a)(\n  rate(x{ a=~"$s" }[5m]) )', True),
        ('sum by (a) (rate(x{a=~"$s"}[1m]))', False),
        ('sumby (a) (rate(x{a=~"$s"}[5m]))', False),
    ],
)
def test_normalization_ignores_layout_only(text: str, same: bool) -> None:
    assert (normalized(text) == normalized('sum by (a) (rate(x{a=~"$s"}[5m]))')) is same
