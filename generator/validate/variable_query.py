"""Run one Grafana Prometheus variable query and return its raw texts.

The query forms are those of Grafana's Prometheus ``metricFindQuery``
(packages/grafana-prometheus/src/metric_find_query.ts):

- ``label_names()`` -> every label name;
- ``label_values(label)`` and ``label_values(selector, label)``;
- ``metrics(regex)`` -> metric names the regex matches (anywhere, as JS ``test``);
- ``query_result(expr)`` -> one text per result, ``name{a="x",b="y"} value ts_ms``;
- anything else is a series selector -> one text per series, ``name{a="x",b="y"}``
  with labels in the order Prometheus returns them (sorted by name).
"""

from __future__ import annotations

import re

from generator.validate.client import PrometheusClient, Series

_LABEL_NAMES = re.compile(r"^label_names\(\)\s*$")
_LABEL_VALUES = re.compile(r"^label_values\((?:(.+),\s*)?([a-zA-Z_$][a-zA-Z0-9_]*)\)\s*$", re.S)
_METRICS = re.compile(r"^metrics\((.+)\)\s*$", re.S)
_QUERY_RESULT = re.compile(r"^query_result\((.+)\)\s*$", re.S)


def run_variable_query(
    client: PrometheusClient, query: str, *, start: float, end: float
) -> list[str]:
    """The texts Grafana would get from ``query`` over ``start``..``end`` (seconds)."""
    query = query.strip()
    if _LABEL_NAMES.match(query):
        return client.label_names(start=start, end=end)
    match = _LABEL_VALUES.match(query)
    if match:
        selector, label = match.group(1), match.group(2)
        return client.label_values(label, start=start, end=end, match=selector)
    match = _METRICS.match(query)
    if match:
        pattern = re.compile(match.group(1).strip())
        names = client.label_values("__name__", start=start, end=end)
        return [name for name in names if pattern.search(name)]
    match = _QUERY_RESULT.match(query)
    if match:
        return [_result_text(s) for s in client.instant(match.group(1), at=end)]
    return [series_text(labels) for labels in client.series(query, start=start, end=end)]


def series_text(labels: dict[str, str]) -> str:
    """Grafana's ``getOriginalMetricName``: ``name{a="x",b="y"}``."""
    rest = {k: v for k, v in labels.items() if k != "__name__"}
    inner = ",".join(f'{k}="{v}"' for k, v in rest.items())
    return f"{labels.get('__name__', '')}{{{inner}}}"


def _result_text(series: Series) -> str:
    at, value = series.points[-1]
    if not series.labels and len(series.points) == 1:
        return _number(value)
    return f"{series_text(series.labels)} {_number(value)} {round(at * 1000)}"


def _number(value: float) -> str:
    if value != value or value in (float("inf"), float("-inf")):
        return {"inf": "+Inf", "-inf": "-Inf"}.get(str(value), "NaN")
    return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
