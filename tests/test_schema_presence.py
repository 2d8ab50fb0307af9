"""The schema tests skip in a checkout without Grafana's schemas, and fail on CI instead."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import require_schema_dir


@pytest.mark.parametrize("value", ["true", "1", "yes"])
def test_missing_schemas_fail_when_ci_is_set(tmp_path: Path, value: str) -> None:
    missing = tmp_path / "grafana-schema"
    with pytest.raises(pytest.fail.Exception, match=r"CI is set, so the schema tests must run"):
        require_schema_dir(missing, {"CI": value})


@pytest.mark.parametrize("environ", [{}, {"CI": ""}, {"CI": "false"}, {"CI": "0"}])
def test_missing_schemas_skip_outside_ci(tmp_path: Path, environ: dict[str, str]) -> None:
    missing = tmp_path / "grafana-schema"
    with pytest.raises(pytest.skip.Exception, match=r"schemas not found at .*grafana-schema"):
        require_schema_dir(missing, environ)


def test_present_schemas_run_on_ci_too(tmp_path: Path) -> None:
    present = tmp_path / "grafana-schema"
    present.mkdir()
    assert require_schema_dir(present, {"CI": "true"}) is None
