"""The validation step: Grafana's expressions at a coarser step that still reads every sample."""

from __future__ import annotations

import pytest

from generator.promql.interpolate import TimeRange
from generator.validate.runner import QueryWindow, shortest_range_ms

END_MS = 1_700_000_007_000  # not on a 15s or 60s boundary
THIRTY_MINUTES = TimeRange(END_MS - 1_800_000, END_MS)  # $__interval 15s, $__rate_interval 1m
ONE_DAY = TimeRange(END_MS - 86_400_000, END_MS)  # $__interval 1m, $__rate_interval 1m15s


@pytest.mark.parametrize(
    ("expr", "shortest"),
    [
        ("rate(x[1m])", 60_000),
        ("rate(x[5m]) / rate(y[30s])", 30_000),
        ("max_over_time(rate(x[2m])[1h30m:1m])", 120_000),
        ("rate(x[1m] offset 10s)", 60_000),
        ("rate(x[ 90s ])", 90_000),
        ('sum(x{path=~"/a[5s]"})', None),  # brackets inside a string are not a range
        ("up", None),
    ],
)
def test_shortest_range(expr: str, shortest: int | None) -> None:
    assert shortest_range_ms(expr) == shortest


@pytest.mark.parametrize(
    ("time_range", "expr", "step_ms"),
    [
        (THIRTY_MINUTES, "rate(x[1m])", 60_000),  # $__rate_interval: 4x Grafana's 15s
        (THIRTY_MINUTES, "rate(x[5m])", 60_000),  # never wider than $__rate_interval
        (THIRTY_MINUTES, "up", 60_000),  # a bare selector looks back 5m
        (THIRTY_MINUTES, "rate(x[1m]) / rate(y[30s])", 30_000),  # the shortest window rules
        (THIRTY_MINUTES, "rate(x[15s])", 15_000),  # a $__interval window keeps Grafana's step
        (THIRTY_MINUTES, "rate(x[5s])", 15_000),  # never finer than Grafana's step
        (ONE_DAY, "rate(x[1m15s])", 75_000),
        (ONE_DAY, "increase(x[1m])", 60_000),
    ],
)
def test_validation_step(time_range: TimeRange, expr: str, step_ms: int) -> None:
    assert QueryWindow.of(time_range, "15s").validation_step_ms(expr) == step_ms


@pytest.mark.parametrize("time_range", [THIRTY_MINUTES, ONE_DAY])
@pytest.mark.parametrize("expr", ["rate(x[1m])", "rate(x[15s])", "rate(x[1m15s])", "up"])
def test_validation_points_cover_every_sample_grafana_reads(
    time_range: TimeRange, expr: str
) -> None:
    window = QueryWindow.of(time_range, "15s")
    g_start, g_end, g_step = window.grafana()
    start, end, step = window.validation(expr)
    assert end == g_end  # the same last point as Grafana
    assert g_start - step < start <= g_start  # reaching back to Grafana's first point
    assert (end - start) % step == 0
    shortest = (shortest_range_ms(expr) or 300_000) / 1000
    # each point's window reaches the previous point (no gap), or Grafana has the same gaps
    assert step <= shortest or step == g_step
    assert step >= g_step


def test_thirty_minutes_take_a_quarter_of_the_points() -> None:
    window = QueryWindow.of(THIRTY_MINUTES, "15s")
    g_start, g_end, g_step = window.grafana()
    start, end, step = window.validation("rate(x[1m])")
    assert (g_end - g_start) / g_step + 1 == 121
    assert (end - start) / step + 1 == 31
