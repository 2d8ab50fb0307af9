"""Shared data for the Grafana tests: credentials, a three-dashboard build, fast settings."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from generator.credentials import Secret
from generator.grafana.settings import Credentials, GrafanaSettings, RetryPolicy
from generator.manifest import entry, write_manifest

ADMIN_TOKEN = "glsa_ADMINsecret_5b1f0c9e7d"
VIEWER_TOKEN = "glsa_VIEWERsecret_77aa3e21c4"
ADMIN_USER = "deployer"
ADMIN_PASSWORD = "pw-SECRET-9c2e71"
SECRETS = (ADMIN_TOKEN, VIEWER_TOKEN, ADMIN_PASSWORD)
FAST = ["--timeout", "0.3", "--retries", "3", "--backoff", "0.001"]


def small_dashboard(uid: str, title: str, expr: str) -> dict[str, Any]:
    return {
        "uid": uid,
        "title": title,
        "tags": ["meshdash", "consul"],
        "schemaVersion": 39,
        "time": {"from": "now-1h", "to": "now"},
        "templating": {"list": []},
        "panels": [
            {
                "id": 1,
                "type": "timeseries",
                "title": "Requests",
                "gridPos": {"h": 8, "w": 12, "x": 0, "y": 0},
                "datasource": {"type": "prometheus", "uid": "${datasource}"},
                "targets": [{"refId": "A", "expr": expr}],
            }
        ],
    }


BUILD = {
    "meshdash-service": small_dashboard(
        "meshdash-service", "Service overview", "sum(rate(envoy_cluster_upstream_rq_total[5m]))"
    ),
    "meshdash-upstream": small_dashboard(
        "meshdash-upstream", "Upstreams", "sum(rate(envoy_cluster_upstream_rq_xx[5m]))"
    ),
    "meshdash-listener": small_dashboard(
        "meshdash-listener", "Listeners", "sum(rate(envoy_listener_http_downstream_rq_xx[5m]))"
    ),
}


def write_build(
    directory: Path, dashboards: dict[str, dict[str, Any]], *, manifest: bool = True
) -> Path:
    directory.mkdir(parents=True, exist_ok=True)
    for old in directory.glob("*.json"):
        old.unlink()
    entries = {}
    for uid, data in dashboards.items():
        text = json.dumps(data, indent=2, sort_keys=True)
        (directory / f"{uid}.json").write_text(text)
        entries[f"{uid}.json"] = entry(text, None)
    if manifest:  # as `meshdash build` writes it: every dashboard at the top level
        write_manifest(directory, entries)
    return directory


def fast_settings(url: str, token: str = ADMIN_TOKEN, **overrides: Any) -> GrafanaSettings:
    values: dict[str, Any] = {
        "url": url,
        "credentials": Credentials(token=Secret(token)),
        "connect_timeout": 0.3,
        "read_timeout": 0.3,
        "retry": RetryPolicy(retries=3, backoff_factor=0.001),
    }
    values.update(overrides)
    return GrafanaSettings(**values)


def summary_counts(out: str) -> dict[str, int]:
    """The result table printed at the end of a text-format push."""
    rows = re.findall(r"^(created|updated|unchanged|drifted|deleted|failed) +(\d+)$", out, re.M)
    return {name: int(count) for name, count in rows}
