"""Publishing to Grafana: HTTP client, plan (create/update/unchanged/drifted/delete), apply.

Modules: ``settings`` (URL, credentials, TLS, retries), ``client`` (the HTTP API),
``state`` (managed and drift marks kept in tags), ``folders``, ``plan``, ``publish``,
``report``, ``source`` (build or ``--from`` files), ``provenance`` (version message),
``options`` (click options shared by push and diff).
"""
