"""MD205 variables/bucket-series."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import promql_parser as pp

from generator.errors import InterpolationError
from generator.promql.analysis import metric_name
from generator.promql.dashboard import variable_promql, variables
from generator.promql.lint.context import DashboardContext
from generator.promql.lint.problems import Problem, Severity
from generator.promql.lint.rules.base import Rule


class BucketSeriesVariable(Rule):
    """A variable's query is not a bare series selector over a histogram's buckets.

    Grafana runs a bare selector as a series query and gets every matching
    series back, on every dashboard load and time-range change; the regex then
    runs over each in the browser. A histogram has one series per bucket
    (Envoy: 14 or more per pair of services), so the answer grows with
    buckets x pairs. Measured on a 1,000-service mesh (2,000 pairs, 14
    buckets): ``envoy_cluster_upstream_rq_time_bucket`` returned 6.7 MB in
    186 ms, ``label_values(envoy_cluster_upstream_rq_time_bucket,
    consul_destination_service)`` 11 KB in 5 ms, and ``query_result(count by
    (consul_destination_service) (envoy_cluster_upstream_rq_time_bucket{le="+Inf"}))``
    78 KB in 10 ms, whose texts the same regex still reads.

    **Anti-pattern**::

        query: envoy_cluster_upstream_rq_time_bucket
        regex: /consul_destination_service="([^"]*).*/

    **Best practice**::

        query: query_result(count by (consul_destination_service) (envoy_cluster_upstream_rq_time_bucket{le="+Inf"}))
        regex: /consul_destination_service="([^"]*).*/
    """

    code = "MD205"
    name = "variables/bucket-series"
    severity = Severity.WARNING

    def check(self, ctx: DashboardContext) -> Iterable[Problem]:
        for variable in variables(ctx.dashboard):
            query = _query_text(variable)
            if query is None or variable_promql({**variable, "query": query}) != query:
                continue  # label_values(...), query_result(...), metrics(...)
            try:
                ast = pp.parse(ctx.interpolate(query, ctx.sample_values))
            except (InterpolationError, ValueError):
                continue  # MD101 reports it
            name = metric_name(ast) if isinstance(ast, pp.VectorSelector) else None
            if name and name.endswith("_bucket"):
                yield self.problem(
                    ctx.location(variable=str(variable.get("name"))),
                    f"{name} as a series query returns every bucket series on each dashboard "
                    f'load; use query_result(count by (<label>) ({name}{{le="+Inf"}})) with '
                    f"the same regex, or label_values({name}, <label>)",
                    text=query,
                    span=_span(query, name),
                )


def _query_text(variable: Mapping[str, object]) -> str | None:
    query = variable.get("query")
    if isinstance(query, Mapping):
        query = query.get("query")
    if variable.get("type") != "query" or not isinstance(query, str) or not query.strip():
        return None
    return query


def _span(query: str, name: str) -> tuple[int, int] | None:
    start = query.find(name)
    return (start, start + len(name)) if start >= 0 else None
