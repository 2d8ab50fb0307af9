"""PromQL as Grafana runs it: interpolation, durations, formats, query analysis, dashboard JSON.

Shared by lint (``promql.lint``), validate and preview.
"""
