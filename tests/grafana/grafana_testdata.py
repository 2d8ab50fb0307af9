"""Shared data for the Grafana tests: credentials, a three-dashboard build, fast settings."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from generator.grafana import state
from generator.grafana.settings import GRAFANA_RETRY, Credentials, GrafanaSettings
from generator.http import Secret
from generator.outputs.manifest import MANIFEST_NAME, entry, manifest_text

ADMIN_TOKEN = "glsa_ADMINsecret_5b1f0c9e7d"
VIEWER_TOKEN = "glsa_VIEWERsecret_77aa3e21c4"
ADMIN_USER = "deployer"
ADMIN_PASSWORD = "pw-SECRET-9c2e71"
SECRETS = (ADMIN_TOKEN, VIEWER_TOKEN, ADMIN_PASSWORD)
FAST = ["--timeout", "0.3", "--retries", "3", "--backoff", "0.001"]
API_MODES = ("grafana11", "grafana12", "grafana13")


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
        (directory / MANIFEST_NAME).write_text(manifest_text(entries))
    return directory


def fast_settings(url: str, token: str = ADMIN_TOKEN, **overrides: Any) -> GrafanaSettings:
    values: dict[str, Any] = {
        "url": url,
        "credentials": Credentials(token=Secret(token)),
        "connect_timeout": 0.3,
        "read_timeout": 0.3,
        "retry": replace(GRAFANA_RETRY, retries=3, backoff_factor=0.001, backoff_jitter=0.0),
    }
    values.update(overrides)
    return GrafanaSettings(**values)


def summary_counts(out: str) -> dict[str, int]:
    """The result table printed at the end of a text-format push."""
    rows = re.findall(r"^(created|updated|unchanged|drifted|deleted|failed) +(\d+)$", out, re.M)
    return {name: int(count) for name, count in rows}


@dataclass(frozen=True)
class ApiPaths:
    """(method, path) of each kind of request meshdash sends to a stand-in ``mode``.

    A fault injected on a path matches every request whose path starts with it.
    """

    mode: str

    @property
    def legacy(self) -> bool:
        return self.mode == "grafana11"

    def _collection(self, group: str, resource: str) -> str:
        version = "v1" if self.mode == "grafana13" else "v1beta1"
        return f"/apis/{group}/{version}/namespaces/default/{resource}"

    @property
    def create(self) -> tuple[str, str]:
        if self.legacy:
            return ("POST", "/api/dashboards/db")
        return ("POST", self._collection("dashboard.grafana.app", "dashboards"))

    @property
    def update(self) -> tuple[str, str]:
        if self.legacy:
            return ("POST", "/api/dashboards/db")
        return ("PUT", self._collection("dashboard.grafana.app", "dashboards") + "/")

    @property
    def read(self) -> tuple[str, str]:
        """A single dashboard's GET (legacy), or the LIST pages (resource API)."""
        if self.legacy:
            return ("GET", "/api/dashboards/uid/")
        return ("GET", self._collection("dashboard.grafana.app", "dashboards"))

    @property
    def probe(self) -> tuple[str, str]:
        """The first request of a run: the health check, or the resource API's discovery."""
        return ("GET", "/api/health") if self.legacy else ("GET", "/apis/dashboard.grafana.app")

    @property
    def folder_create(self) -> tuple[str, str]:
        if self.legacy:
            return ("POST", "/api/folders")
        return ("POST", self._collection("folder.grafana.app", "folders"))


def holds_build(stored: Any, data: dict[str, Any]) -> bool:
    """The stand-in's record holds ``data`` as meshdash pushes it, through either API.

    Hash tags aside, and the ``schemaVersion`` Grafana 13 migrates up on a /apis write.
    """
    mine = state.normalize(state.stamp(data))
    theirs = state.normalize(stored.dashboard)
    if int(theirs.get("schemaVersion", 0)) >= int(mine.get("schemaVersion", 0)):
        theirs["schemaVersion"] = mine.get("schemaVersion")
    return state.same_content(mine, theirs)


def recorded_provenance(stored: Any) -> str | None:
    """meshdash's content hash on the record: the /apis annotation, else the legacy tag."""
    annotated = stored.annotations.get("meshdash.dev/content-hash")
    return annotated[: state.HASH_LENGTH] if annotated else state.recorded_hash(stored.dashboard)
