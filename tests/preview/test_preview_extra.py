"""Without the preview extra, `meshdash preview` says how to install it (exit 2), nothing else."""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import CliResult


def test_without_matplotlib_it_names_the_extra(
    run_cli: Callable[..., CliResult], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setitem(sys.modules, "matplotlib", None)  # `import matplotlib` now fails
    out = tmp_path / "preview"
    result = run_cli("preview", "--prometheus", "http://127.0.0.1:9", "--out", str(out))
    assert result.exit_code == 2
    assert result.err == (
        "meshdash: error: meshdash preview needs matplotlib: "
        "pip install 'meshdash[preview]' (or make preview)\n"
    )
    assert not out.exists()
