"""The panel library: one builder function per panel, grouped by area.

- `http`: inbound requests of a service (downstream)
- `upstreams`: calls from a service to its upstreams
- `latency`: request time quantiles from Envoy's histograms
- `retries`: retry rates and the responses of retried attempts
- `overview`: mesh-wide tables
"""
