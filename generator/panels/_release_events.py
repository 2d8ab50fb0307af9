"""Release events as a Grafana annotation over the `meshdash_release_event` series.

A release controller or CI job emits one series per event, its value the event's
unix time in seconds and its text in the `event` label, e.g. to a Pushgateway:

    echo 'meshdash_release_event{service="payments",version="v2",event="canary 50%"}' \
      "$(date +%s)" | curl --data-binary @- http://pushgateway:9091/metrics/job/release/service/payments

The annotation multiplies the value by 1000 and lets Grafana use it as the time
(`useValueForTime`, milliseconds), so the marker sits at the event, not at every
sample of the series.
"""

from __future__ import annotations

from typing import Any

from generator.metrics_catalogue import RELEASE_EVENT_METRIC
from generator.queries import render_query
from generator.variables import DATASOURCE_REF


def release_annotation(*, service: str = "$service", color: str = "purple") -> dict[str, Any]:
    """The dashboard annotation (Grafana JSON) for the release events of `service`."""
    return {
        "name": "Releases",
        "datasource": DATASOURCE_REF,
        "enable": True,
        "hide": False,
        "iconColor": color,
        "expr": render_query(
            "release/release_events", metric=RELEASE_EVENT_METRIC, service=service
        ),
        "useValueForTime": True,
        "step": "60s",
        "titleFormat": "{{event}}",
        "textFormat": "{{service}} {{version}}: {{event}}",
        "tagKeys": "service,version",
    }
