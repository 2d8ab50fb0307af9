"""An empty rate over data younger than its window is said so, not blamed on an operator."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from generator.commands.validate import FLAG_NAMES
from generator.validate.diagnose import explain_no_series
from tests.validate.conftest import STEP_SECONDS, WINDOW_SECONDS, Backfill, open_backfill

QUERY = 'sum(rate(envoy_cluster_upstream_cx_total{local_cluster="api"}[{span}]))'


@pytest.fixture(scope="module")
def backfill() -> Iterator[Backfill]:
    with open_backfill() as box:
        yield box


def _first_sample(backfill: Backfill) -> float:
    return backfill.end - WINDOW_SECONDS


def test_a_rate_over_data_younger_than_its_window_says_so(backfill: Backfill) -> None:
    at = _first_sample(backfill) + STEP_SECONDS / 3  # one sample so far
    expr = QUERY.replace("{span}", "1m")
    assert backfill.client.instant(expr, at=at) == []

    reason = explain_no_series(backfill.client, expr, at=at, window="10m")

    assert reason.startswith(
        'no values: envoy_cluster_upstream_cx_total{local_cluster="api"} has series, '
        "but none older than 1m: the data is younger than the query's window"
    ), reason
    assert "operator" not in reason
    assert reason.endswith("or shorten the time range")
    told = explain_no_series(backfill.client, expr, at=at, window="10m", names=FLAG_NAMES)
    assert told == reason.replace("the time range", "--range")


def test_a_gauge_younger_than_the_step_says_so(backfill: Backfill) -> None:
    at = _first_sample(backfill) + STEP_SECONDS / 3
    expr = 'max(envoy_cluster_membership_total{local_cluster="api"}) > 1e9'

    reason = explain_no_series(backfill.client, expr, at=at, window="10m")

    assert "none older than 1m: the data is younger" in reason, reason


def test_a_window_shorter_than_the_scrape_interval_is_not_called_young(
    backfill: Backfill,
) -> None:
    expr = QUERY.replace("{span}", f"{STEP_SECONDS - 5}s")
    assert backfill.client.instant(expr, at=backfill.end) == []

    reason = explain_no_series(backfill.client, expr, at=backfill.end, window="10m")

    assert "scraped less often than that" in reason and "younger" not in reason, reason
    assert reason.endswith("set the scrape interval to how often it is scraped")


def test_enough_samples_leave_the_operator_to_blame(backfill: Backfill) -> None:
    expr = QUERY.replace("{span}", "1m") + " > 1e9"
    assert backfill.client.instant(expr, at=backfill.end) == []

    reason = explain_no_series(backfill.client, expr, at=backfill.end, window="10m")

    assert "so an operator" in reason and "younger" not in reason, reason
