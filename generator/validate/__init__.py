"""Live validation of dashboards against a Prometheus HTTP API (``meshdash validate``).

- :mod:`.client`: the HTTP client (auth, timeouts, one pooled session, error mapping);
- :mod:`.connection`: credentials from the environment or a token file, extra headers;
- :mod:`.resolve`: variables resolved as Grafana does (:mod:`.variable_query`, :mod:`.options`);
- :mod:`.plan`: which query to run per panel target and variable choice;
- :mod:`.batch`: one query for every choice of a separable target, its series shared out;
- :mod:`.runner`: runs them concurrently and judges each panel;
- :mod:`.checks`: the codes of its verdicts (MD4xx), lint's ``Problem`` values;
- :mod:`.diagnose`: which matcher removed the data of an empty query;
- :mod:`.report`: the problems and the summary, text and JSON;
- :mod:`.sandbox`: the live simulator and Prometheus for ``--sandbox``.
"""

from generator.validate.client import Connection, PrometheusClient, Series
from generator.validate.connection import connection_from
from generator.validate.live_sandbox import live_sandbox
from generator.validate.resolve import Resolution, resolve
from generator.validate.runner import ValidateOptions, legend_labels, validate
from generator.validate.validation_report import Report

__all__ = [
    "Connection",
    "PrometheusClient",
    "Report",
    "Resolution",
    "Series",
    "ValidateOptions",
    "connection_from",
    "legend_labels",
    "live_sandbox",
    "resolve",
    "validate",
]
