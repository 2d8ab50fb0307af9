"""Grafana units as the preview prints them on axes, stats and tables.

The units the panel library uses (``reqps``, ``ms``, ``percentunit``...) and
their close relatives; an unknown unit is printed as the number with its
name, as Grafana's custom units are.
"""

from __future__ import annotations

import math

_SI = ((1e12, "T"), (1e9, "G"), (1e6, "M"), (1e3, "k"))
_IEC = ((2**40, "TiB"), (2**30, "GiB"), (2**20, "MiB"), (2**10, "KiB"))
_DEC_BYTES = ((1e12, "TB"), (1e9, "GB"), (1e6, "MB"), (1e3, "kB"))
_SUFFIXES = {"reqps": "req/s", "rps": "req/s", "ops": "ops/s", "wps": "wr/s", "rdps": "rd/s"}


def format_value(value: float, unit: str | None, decimals: int | None = None) -> str:
    """``value`` in ``unit``: ``12.5 req/s``, ``250 ms``, ``1.2 s``, ``97.5%``, ``1.5 MiB``."""
    if value is None or math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "+Inf" if value > 0 else "-Inf"
    unit = unit or "short"
    if unit == "percentunit":
        return f"{_number(value * 100, decimals)}%"
    if unit == "percent":
        return f"{_number(value, decimals)}%"
    if unit in {"ms", "s"}:
        return _duration(value / 1000 if unit == "ms" else value, decimals)
    if unit in {"bytes", "decbytes"}:
        return _scaled(value, _IEC if unit == "bytes" else _DEC_BYTES, decimals, "B")
    if unit in _SUFFIXES:
        return f"{_scaled(value, _SI, decimals, '')} {_SUFFIXES[unit]}"
    if unit in {"short", "none", ""}:
        return _scaled(value, _SI, decimals, "")
    return f"{_number(value, decimals)} {unit}"


def _duration(seconds: float, decimals: int | None) -> str:
    size = abs(seconds)
    if size and size < 1e-3:
        return f"{_number(seconds * 1e6, decimals)} µs"
    if size < 1:
        return f"{_number(seconds * 1000, decimals)} ms"
    if size < 60:
        return f"{_number(seconds, decimals)} s"
    if size < 3600:
        return f"{_number(seconds / 60, decimals)} min"
    return f"{_number(seconds / 3600, decimals)} h"


def _scaled(
    value: float, steps: tuple[tuple[float, str], ...], decimals: int | None, base: str
) -> str:
    for size, suffix in steps:
        if abs(value) >= size:
            return f"{_number(value / size, decimals)} {suffix}"
    return f"{_number(value, decimals)} {base}".rstrip()


def _number(value: float, decimals: int | None) -> str:
    """Three significant digits by default, without trailing zeros (Grafana's auto decimals)."""
    if decimals is not None:
        return f"{value:.{decimals}f}"
    if value == 0:
        return "0"
    digits = max(0, 2 - math.floor(math.log10(abs(value))))
    text = f"{value:.{digits}f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
