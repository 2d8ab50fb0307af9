"""Which of Grafana's two APIs a run speaks, found once per run (``--api auto|apis|legacy``).

Facts it rests on (``grafana-http-apis.md`` §1, §3): Grafana 12 serves
``dashboard.grafana.app`` as ``v1beta1`` (classic JSON in ``spec``), Grafana 13 as ``v1``
(GA) beside ``v2`` (schema v2, a different body), and may *prefer* ``v2``; Grafana 10/11
serve no resource API, and an unserved ``/apis`` path answers 404, possibly as plain text.
So the version is chosen from the advertised ``versions`` (``v1``, else ``v1beta1``), never
from ``preferredVersion``. The folder group ships the same version (``v1`` with dashboards
``v1`` on 13, ``v1beta1`` on 12). Namespaces: org 1 is ``default``, org N is ``org-N``;
Grafana Cloud stacks are ``stacks-<id>`` (``--namespace``).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.errors import ConfigError, GrafanaNotFound
from generator.grafana.client import GrafanaClient

API_CHOICES = ("auto", "apis", "legacy")
CLASSIC_VERSIONS = ("v1", "v1beta1")  # best first: both carry the classic JSON model
DASHBOARD_GROUP = "dashboard.grafana.app"
FOLDER_GROUP = "folder.grafana.app"


@dataclass(frozen=True)
class ApiChoice:
    """The API a run uses: ``legacy`` (``/api``) or ``apis`` at ``version`` in ``namespace``."""

    kind: str
    version: str = ""
    namespace: str = "default"

    @property
    def resource(self) -> bool:
        return self.kind == "apis"

    def describe(self) -> str:
        if not self.resource:
            return "legacy /api"
        return f"{DASHBOARD_GROUP}/{self.version} (namespace {self.namespace})"

    def to_json(self) -> dict[str, str]:
        return {"kind": self.kind, "version": self.version, "namespace": self.namespace}

    def collection(self, group: str, resource: str) -> str:
        return f"/apis/{group}/{self.version}/namespaces/{self.namespace}/{resource}"


def namespace_for(org_id: int | None, namespace: str | None) -> str:
    """``--namespace`` wins; else ``default`` for org 1 (or none), ``org-<id>`` otherwise."""
    if namespace:
        return namespace
    return "default" if org_id in (None, 1) else f"org-{org_id}"


def detect(client: GrafanaClient, requested: str, namespace: str) -> ApiChoice:
    """Ask the server once; ``auto`` falls back to legacy when no classic version is served.

    Only ``legacy`` (and an ``auto`` that falls back) calls ``/api/health``: on the resource
    API the discovery request already proves the URL and the credentials. Push asks this
    only for ``legacy``, or for ``apis`` once neither classic LIST was found
    (``backends.connect``, whose LIST probe settles ``auto`` without discovery).
    """
    if requested not in API_CHOICES:
        raise ConfigError(
            f"API {requested!r}: choose one of {', '.join(API_CHOICES)}", setting="api"
        )
    if requested == "legacy":
        client.health()
        return ApiChoice("legacy")
    served = _served_versions(client)
    version = next((v for v in CLASSIC_VERSIONS if v in served), None)
    if version is not None:
        return ApiChoice("apis", version, namespace)
    if requested == "apis":
        found = ", ".join(served) or "none"
        raise ConfigError(
            f"the resource API: Grafana at {client.settings.url} serves no classic version of "
            f"{DASHBOARD_GROUP} (v1 or v1beta1; it serves: {found}); Grafana 12 or later "
            "is needed, or use the legacy API",
            setting="legacy_api",
        )
    client.health()
    return ApiChoice("legacy")


def _served_versions(client: GrafanaClient) -> list[str]:
    try:
        answer = client.read_whole_run(f"/apis/{DASHBOARD_GROUP}", what="the API discovery")
    except GrafanaNotFound:
        return []
    try:
        body = answer.json()
    except ValueError:
        return []
    versions = body.get("versions") if isinstance(body, dict) else None
    return [str(v.get("version")) for v in versions or [] if isinstance(v, dict)]
