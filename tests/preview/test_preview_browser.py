"""The preview pages in a real headless browser (Debian's chromium): no errors, every image loaded."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import SHIPPED_UIDS, CliResult
from tests.preview.chromium import CHROMIUM, Browser
from tests.preview.conftest import NEEDS_MATPLOTLIB, PreviewBox

pytest.importorskip("matplotlib", reason=NEEDS_MATPLOTLIB)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="Debian's chromium is not installed (apt-get install chromium; make test does it as root)",
)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with Browser() as opened:
        yield opened


def test_the_harness_sees_a_broken_image_and_a_console_error(
    browser: Browser, tmp_path: Path
) -> None:
    """The negative control: the checks below could fail."""
    page = tmp_path / "broken.html"
    page.write_text('<img src="missing.png"><script>console.error("boom")</script>')
    report = browser.open(page)
    assert len(report.images) == 1 and len(report.broken_images) == 1
    assert any("boom" in e for e in report.errors)


def test_index_and_pages_open_without_errors_and_with_every_image(
    preview_box: PreviewBox,
    run_cli: Callable[..., CliResult],
    browser: Browser,
    shipped_dir: Path,
    tmp_path: Path,
) -> None:
    shipped = ["--dashboards", str(shipped_dir)]
    result = run_cli("preview", *preview_box.cli_args(), *shipped, "--out", str(tmp_path))
    assert result.exit_code == 0, result.err
    index = tmp_path / "index.html"
    pages = sorted(set(re.findall(r'href="([^"]+\.html)"', index.read_text())))
    assert len(pages) == len(SHIPPED_UIDS)
    for path in [index, *(tmp_path / p for p in pages)]:
        report = browser.open(path)
        assert report.errors == [], path.name
        assert report.images and report.broken_images == [], path.name
    assert len(browser.open(index).images) == len(pages)
