"""Why a query returned no series: which selector, and which of its matchers, removed the data.

As pint's ``promql/series`` check does: parse the expression, walk its vector
selectors, ask Prometheus whether the bare metric has series in the window
(``count(last_over_time(metric[range]))``), then add the selector's matchers
one at a time; the first matcher after which nothing is left is the culprit,
and the values its label does have are listed to spot a typo. A metric with no
series at all that meshdash's catalogue does not know either is said so (a typo
in the name, or a family this mesh does not emit). When every selector has series
but a range (``rate(x[1m])``) holds fewer than two samples of them, the data is
younger than that window (a Prometheus started moments ago) or scraped less often.
"""

from __future__ import annotations

from dataclasses import dataclass

import promql_parser as pp

from generator.metrics_catalogue import sample_type
from generator.promql.analysis import metric_name, selectors, walk
from generator.promql.durations import format_interval
from generator.validate.client import PrometheusClient

#: How old a selector without a range must be before an operator is blamed: the range
#: query's last point is Grafana's step-aligned end, up to a step before the end asked for.
YOUNG_SPAN = "1m"
#: How many existing label values a diagnosis lists.
MAX_VALUES_SHOWN = 5


@dataclass(frozen=True)
class SettingNames:
    """How findings name the run's settings: in the library's words, or a command's flags."""

    range: str = "the time range"
    scrape_interval: str = "the scrape interval"
    max_combinations: str = "max_combinations"
    flavor: str = "the current flavor"


LIBRARY_NAMES = SettingNames()

# MatchOp is not hashable: key by its name.
_OPS = {"MatchOp.Equal": "=", "MatchOp.NotEqual": "!=", "MatchOp.Re": "=~", "MatchOp.NotRe": "!~"}


def matcher_text(matcher: pp.Matcher) -> str:
    """``name="value"`` with the value quoted as PromQL wants it."""
    value = matcher.value.replace("\\", "\\\\").replace('"', '\\"')
    return f'{matcher.name}{_OPS.get(str(matcher.op), "=")}"{value}"'


def selector_text(name: str | None, matchers: list[pp.Matcher]) -> str:
    inner = ",".join(matcher_text(m) for m in matchers)
    return f"{name or ''}{{{inner}}}" if matchers or not name else name


def explain_no_series(
    client: PrometheusClient,
    expr: str,
    *,
    at: float,
    window: str,
    names: SettingNames = LIBRARY_NAMES,
) -> str:
    """A one-line reason for an empty result of ``expr`` evaluated up to ``at``."""
    try:
        ast = pp.parse(expr)
    except ValueError as exc:
        return f"no series, and the query does not parse for diagnosis: {exc}"
    seen: set[str] = set()
    for selector in selectors(ast):
        name = metric_name(selector)
        matchers = [m for m in selector.matchers.matchers if m.name != "__name__" or not name]
        key = _text(selector)
        if key in seen:
            continue
        seen.add(key)
        reason = _explain_selector(client, name, matchers, at=at, window=window)
        if reason:
            return reason
    return _too_few_samples(client, ast, at=at, names=names) or (
        f"no series: every selector has series in the last {window}, so an operator "
        "(a join, a filter, a comparison or `unless`) removes them all"
    )


def _explain_selector(
    client: PrometheusClient,
    name: str | None,
    matchers: list[pp.Matcher],
    *,
    at: float,
    window: str,
) -> str | None:
    if name and _count(client, name, at, window) == 0:
        unknown = "" if sample_type(name) else f"; {name} is not in meshdash's metric catalogue"
        return f"no series: metric {name} has no series at all in the last {window}{unknown}"
    kept: list[pp.Matcher] = []
    for matcher in matchers:
        before = selector_text(name, kept)
        kept.append(matcher)
        if not name and len(kept) == 1:
            continue
        if _count(client, selector_text(name, kept), at, window) > 0:
            continue
        values = _label_values(client, before, matcher.name, at, window)
        found = f"; {matcher.name} there is {values}" if values else f"; none has {matcher.name}"
        return (
            f"no series: {before} has series but adding {matcher_text(matcher)} leaves none{found}"
        )
    return None


def _too_few_samples(
    client: PrometheusClient, ast: pp.Expr, *, at: float, names: SettingNames
) -> str | None:
    """Data too young (or a range too sparse) for the query: `rate` or a gauge has nothing."""
    spans = {
        _text(node.vector_selector): format_interval(round(node.range.total_seconds() * 1000))
        for node in walk(ast)
        if isinstance(node, pp.MatrixSelector)
    }
    for selector in dict.fromkeys(_text(node) for node in selectors(ast)):
        span = spans.get(selector, YOUNG_SPAN)
        if _counted(client, f"last_over_time({selector}[{span}] offset {span})", at) == 0:
            return (
                f"no values: {selector} has series, but none older than {span}: the data is "
                f"younger than the query's window; wait until it spans more than {span}, "
                f"or shorten {names.range}"
            )
    for selector, span in spans.items():
        if _counted(client, f"count_over_time({selector}[{span}]) >= 2", at) == 0:
            return (
                f"no values: {selector} has series, but fewer than two samples in its [{span}] "
                "range: it is scraped less often than that; set "
                f"{names.scrape_interval} to how often it is scraped"
            )
    return None


def _text(selector: pp.VectorSelector) -> str:
    name = metric_name(selector)
    return selector_text(
        name, [m for m in selector.matchers.matchers if m.name != "__name__" or not name]
    )


def _counted(client: PrometheusClient, expr: str, at: float) -> float:
    result = client.instant(f"count({expr})", at=at)
    return result[0].points[-1][1] if result else 0.0


def _count(client: PrometheusClient, selector: str, at: float, window: str) -> float:
    return _counted(client, f"last_over_time({selector}[{window}])", at)


def _label_values(
    client: PrometheusClient, selector: str, label: str, at: float, window: str
) -> str:
    result = client.instant(f"count by ({label}) (last_over_time({selector}[{window}]))", at=at)
    values = sorted({s.labels.get(label, "") for s in result} - {""})
    if not values:
        return ""
    shown = ", ".join(values[:MAX_VALUES_SHOWN])
    more = len(values) - MAX_VALUES_SHOWN
    return shown + (f" (+{more} more)" if more > 0 else "")
