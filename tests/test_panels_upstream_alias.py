"""`generator.panels.upstream`, the module's old name: it still works and says what to import."""

from __future__ import annotations

import sys
import warnings
from pathlib import Path
from typing import Any

import pytest

import generator.panels
from generator.outputs.build import build_dashboards
from generator.panels import upstreams

DEFINITION = """\
from generator.dashboard import Dashboard, Row
from generator.panels import {module}

D = Dashboard(uid="calls", title="Calls", rows=[Row("r", [{module}.upstream_request_rate()])])
"""


@pytest.fixture
def fresh_import(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget an earlier import of the alias, so importing it runs (and warns) again."""
    monkeypatch.delitem(sys.modules, "generator.panels.upstream", raising=False)
    monkeypatch.delattr(generator.panels, "upstream", raising=False)


@pytest.mark.usefixtures("fresh_import")
def test_the_old_name_warns_at_the_importing_line_and_forwards() -> None:
    with pytest.warns(
        DeprecationWarning, match=r"import generator\.panels\.upstreams instead"
    ) as seen:
        from generator.panels import upstream
    assert [w.filename for w in seen] == [__file__]
    assert upstream.upstream_request_rate is upstreams.upstream_request_rate
    assert "upstream_success_ratio" in dir(upstream)


@pytest.mark.usefixtures("fresh_import")
def test_a_definition_using_the_old_name_builds_the_same_dashboard(tmp_path: Path) -> None:
    built = {}
    for module in ("upstreams", "upstream"):
        folder = tmp_path / module
        folder.mkdir()
        (folder / "calls.py").write_text(DEFINITION.format(module=module))
        with warnings.catch_warnings(record=True) as seen:
            warnings.simplefilter("always")
            [built[module]] = build_dashboards(folder)
        deprecations = [w for w in seen if issubclass(w.category, DeprecationWarning)]
        assert [w.filename for w in deprecations] == (
            [str(folder / "calls.py")] if module == "upstream" else []
        )
    assert built["upstream"] == built["upstreams"]


@pytest.mark.usefixtures("fresh_import")
def test_meshdash_says_so_in_one_line(run_cli: Any, tmp_path: Path) -> None:
    (tmp_path / "calls.py").write_text(DEFINITION.format(module="upstream"))
    result = run_cli("list", "--dashboards", str(tmp_path))
    assert result.exit_code == 0
    assert result.err == (
        "meshdash: warning: generator.panels.upstream is deprecated: import "
        "generator.panels.upstreams instead (same builders, e.g. upstreams.upstream_request_rate)\n"
    )
