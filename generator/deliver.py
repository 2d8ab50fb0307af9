"""Other ways to deliver a build: Grafana file provisioning, or Kubernetes ConfigMaps.

``write_provisioning(built, DIR)`` writes::

    DIR/provisioning/dashboards/meshdash.yaml   a file provider (apiVersion 1), to copy into
                                                Grafana's provisioning/dashboards/ folder
    DIR/dashboards/[<folder path>/]<uid>.json   the dashboards, one sub-folder per folder

The provider reads ``options.path`` (where DIR/dashboards is mounted in Grafana) with
``foldersFromFilesStructure: true``, so each dashboard lands in the folder named by its
directory; with ``folder=...`` every dashboard goes flat into that one folder instead
(Grafana does not allow both).

``write_configmaps(built, DIR)`` writes one ConfigMap per dashboard, labelled
``grafana_dashboard: "1"`` for the dashboard sidecar of Grafana's Helm chart and annotated
``grafana_folder`` with its folder, plus a ``kustomization.yaml`` listing them.

Every file is written atomically (temporary file and rename); files meshdash wrote
before for dashboards that are gone are removed, others are left alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.build import BuiltDashboard
from generator.errors import OutputError
from generator.files import prepare_output_dir, write_atomic
from generator.render import MANAGED_TAG

PROVIDER_FILE = Path("provisioning/dashboards/meshdash.yaml")
DEFAULT_GRAFANA_PATH = "/var/lib/grafana/dashboards/meshdash"
CONFIGMAP_LABEL = "grafana_dashboard"
FOLDER_ANNOTATION = "grafana_folder"
MANAGED_BY = "app.kubernetes.io/managed-by"
CONFIGMAP_LIMIT = 1024 * 1024  # bytes of data Kubernetes accepts in one ConfigMap


class _Literal(str):
    """A string YAML shows as a ``|`` block, so the embedded JSON stays readable."""


class _Dumper(yaml.SafeDumper):
    pass


def _literal(dumper: yaml.SafeDumper, value: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", str(value), style="|")


_Dumper.add_representer(_Literal, _literal)


def to_yaml(document: Any) -> str:
    return yaml.dump(document, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=4096)


def _folder_of(item: BuiltDashboard, folder: str | None) -> str | None:
    chosen = folder if folder is not None else item.folder
    if chosen is None or not chosen.strip():
        return None
    parts = [part.strip() for part in chosen.split("/")]
    if any(part in ("", ".", "..") for part in parts):
        raise OutputError(f"dashboard {item.uid!r}: folder {chosen!r} is not a clean path 'A/B'")
    return "/".join(parts)


def provider_document(
    grafana_path: str, folder: str | None = None, name: str = "meshdash"
) -> dict[str, Any]:
    """The file provider, as Grafana's provisioning docs describe it."""
    provider: dict[str, Any] = {
        "name": name,
        "orgId": 1,
        "type": "file",
        "disableDeletion": False,
        "allowUiUpdates": False,
        "updateIntervalSeconds": 30,
        "options": {"path": grafana_path, "foldersFromFilesStructure": folder is None},
    }
    if folder is not None:
        provider["folder"] = folder
    return {"apiVersion": 1, "providers": [provider]}


def write_provisioning(
    built: Sequence[BuiltDashboard],
    out_dir: Path,
    *,
    grafana_path: str = DEFAULT_GRAFANA_PATH,
    folder: str | None = None,
) -> list[Path]:
    """Write the provider YAML and the dashboards under ``out_dir``; returns the paths."""
    dash_root = out_dir / "dashboards"
    provider = out_dir / PROVIDER_FILE
    for directory in (dash_root, provider.parent):
        prepare_output_dir(directory)
    write_atomic(provider, to_yaml(provider_document(grafana_path, folder)))
    written = [provider]
    for item in built:
        sub = None if folder is not None else _folder_of(item, None)
        path = dash_root / sub / item.filename if sub else dash_root / item.filename
        prepare_output_dir(path.parent)
        write_atomic(path, item.text())
        written.append(path)
    _remove_stale(dash_root, "**/*.json", set(written), _is_meshdash_json)
    return written


def configmap_name(uid: str) -> str:
    """A Kubernetes object name (RFC 1123 label) for a dashboard uid."""
    name = re.sub(r"[^a-z0-9-]+", "-", uid.lower()).strip("-")
    return f"meshdash-{name}"[:63].rstrip("-")


def configmap_document(
    item: BuiltDashboard, folder: str | None = None, namespace: str | None = None
) -> dict[str, Any]:
    text = item.text()
    if len(text.encode("utf-8")) > CONFIGMAP_LIMIT:
        raise OutputError(
            f"dashboard {item.uid!r} ({item.source}) is over 1 MiB of JSON, more than one "
            "ConfigMap holds; split it or deliver it with push/provisioning"
        )
    metadata: dict[str, Any] = {"name": configmap_name(item.uid)}
    if namespace:
        metadata["namespace"] = namespace
    metadata["labels"] = {CONFIGMAP_LABEL: "1", MANAGED_BY: "meshdash"}
    chosen = _folder_of(item, folder)
    if chosen:
        metadata["annotations"] = {FOLDER_ANNOTATION: chosen}
    return {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": metadata,
        "data": {item.filename: _Literal(text)},
    }


def write_configmaps(
    built: Sequence[BuiltDashboard],
    out_dir: Path,
    *,
    folder: str | None = None,
    namespace: str | None = None,
) -> list[Path]:
    """One ``<name>.yaml`` ConfigMap per dashboard and a kustomization.yaml listing them."""
    prepare_output_dir(out_dir)
    written = []
    for item in built:
        path = out_dir / f"{configmap_name(item.uid)}.yaml"
        write_atomic(path, to_yaml(configmap_document(item, folder, namespace)))
        written.append(path)
    kustomization = out_dir / "kustomization.yaml"
    resources = sorted(path.name for path in written)
    write_atomic(
        kustomization,
        to_yaml(
            {
                "apiVersion": "kustomize.config.k8s.io/v1beta1",
                "kind": "Kustomization",
                "resources": resources,
            }
        ),
    )
    _remove_stale(out_dir, "meshdash-*.yaml", set(written), _is_meshdash_configmap)
    return [*written, kustomization]


def _remove_stale(root: Path, pattern: str, keep: set[Path], ours: Any) -> None:
    for path in root.glob(pattern):
        if path not in keep and ours(path):
            try:
                path.unlink()
            except OSError as exc:
                raise OutputError(f"cannot remove stale {path}: {exc.strerror}") from None


def _is_meshdash_json(path: Path) -> bool:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and MANAGED_TAG in (data.get("tags") or [])


def _is_meshdash_configmap(path: Path) -> bool:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    labels = (data or {}).get("metadata", {}).get("labels", {}) if isinstance(data, dict) else {}
    return labels.get(MANAGED_BY) == "meshdash"
