"""PromQL in Grafana dashboards: macro and variable interpolation, parsing, lint rules."""
