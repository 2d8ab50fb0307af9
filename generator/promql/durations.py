"""Durations the way Grafana computes and prints them.

Grafana's interval maths lives in two places that must agree: the frontend's
``rangeUtil.roundInterval`` (packages/grafana-data/src/datetime/rangeutil.ts)
and the backend's ``gtime``/``intervalv2`` (pkg/promlib, pkg/components/gtime).
Everything here works in whole milliseconds.
"""

from __future__ import annotations

import re

from generator.errors import InterpolationError

_UNIT_MS = {
    "ms": 1,
    "s": 1000,
    "m": 60_000,
    "h": 3_600_000,
    "d": 86_400_000,
    "w": 604_800_000,
    "y": 31_536_000_000,
}
_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(ms|s|m|h|d|w|y)?$")

# (upper bound exclusive, rounded value) in ms: Grafana's roundInterval table.
_ROUND_TABLE: tuple[tuple[int, int], ...] = (
    (15, 10),
    (35, 20),
    (75, 50),
    (150, 100),
    (350, 200),
    (750, 500),
    (1_500, 1_000),
    (3_500, 2_000),
    (7_500, 5_000),
    (12_500, 10_000),
    (17_500, 15_000),
    (25_000, 20_000),
    (45_000, 30_000),
    (90_000, 60_000),
    (150_000, 120_000),
    (450_000, 300_000),
    (900_000, 600_000),
    (1_200_000, 900_000),
    (1_800_000, 1_200_000),
    (3_600_000, 1_800_000),
    (5_400_000, 3_600_000),
    (9_000_000, 7_200_000),
    (16_200_000, 10_800_000),
    (32_400_000, 21_600_000),
    (86_400_000, 43_200_000),
    (604_800_000, 86_400_000),
    (1_814_400_000, 604_800_000),
    (3_628_800_000, 2_592_000_000),
)
_ROUND_DEFAULT = 31_536_000_000


def to_ms(value: str | float) -> int:
    """Milliseconds in a Grafana interval (``"15s"``, ``"1m"``, ``"500ms"``) or in seconds.

    A bare number is seconds, as in Grafana's scrape interval setting.
    """
    if isinstance(value, bool):
        raise InterpolationError(f"interval {value!r} is not a duration; use e.g. '15s'")
    if isinstance(value, int | float):
        if value <= 0:
            raise InterpolationError(f"interval {value!r} must be positive; use e.g. '15s'")
        return round(value * 1000)
    match = _DURATION.match(value.strip())
    if not match:
        raise InterpolationError(f"interval {value!r} is not a duration; use e.g. '15s' or '1m'")
    ms = round(float(match.group(1)) * _UNIT_MS[match.group(2) or "s"])
    if ms <= 0:
        raise InterpolationError(f"interval {value!r} must be positive; use e.g. '15s'")
    return ms


def round_interval(ms: float) -> int:
    """Grafana's ``roundInterval``: snap a raw interval to a human step."""
    for bound, rounded in _ROUND_TABLE:
        if ms < bound:
            return rounded
    return _ROUND_DEFAULT


def format_interval(ms: int) -> str:
    """Grafana's ``gtime.FormatInterval``: the largest whole unit, truncated (``90s`` -> ``1m``)."""
    for unit in ("y", "d", "h", "m", "s", "ms"):
        if ms >= _UNIT_MS[unit]:
            return f"{ms // _UNIT_MS[unit]}{unit}"
    return "1ms"


def go_duration(ms: int) -> str:
    """Go's ``time.Duration.String`` for whole milliseconds (``75000`` -> ``1m15s``).

    Grafana's backend prints ``$__rate_interval`` this way; PromQL accepts it.
    """
    if ms == 0:
        return "0s"
    if ms < 1000:
        return f"{ms}ms"
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    text = f"{seconds}.{millis:03d}".rstrip("0").rstrip(".") + "s"
    if hours:
        return f"{hours}h{minutes}m{text}"
    if minutes:
        return f"{minutes}m{text}"
    return text
