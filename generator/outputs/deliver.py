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
``grafana_folder`` with its folder, and lists them in ``kustomization.yaml``: merged into
one that exists (its namespace, other resources and keys are kept), never overwritten.

Every file is written atomically (temporary file and rename). Each folder gets a
manifest (generator.outputs.manifest) of the files meshdash wrote and their dashboards' folders,
so ``push --from DIR/dashboards`` places them as a push from the definitions would, and
only files meshdash wrote, unchanged since, are removed when their dashboard is gone.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from generator.errors import ConfigError, OutputError
from generator.outputs.built import BuiltDashboard, is_built_dashboard
from generator.outputs.files import prepare_output_dir, write_atomic
from generator.outputs.folder_paths import split_path
from generator.outputs.manifest import MANIFEST_NAME, Entry, ManagedFolder, entry, refuse_foreign

PROVIDER_FILE = Path("provisioning/dashboards/meshdash.yaml")
DEFAULT_GRAFANA_PATH = "/var/lib/grafana/dashboards/meshdash"
CONFIGMAP_LABEL = "grafana_dashboard"
FOLDER_ANNOTATION = "grafana_folder"
MANAGED_BY = "app.kubernetes.io/managed-by"
KUSTOMIZATION = "kustomization.yaml"
KUSTOMIZATION_HEAD = {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization"}
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
    try:
        return "/".join(split_path(chosen)) or None
    except ConfigError as exc:
        raise OutputError(f"{item.source}: dashboard {item.uid!r}: {exc}") from None


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
    """Write the provider YAML and the dashboards under ``out_dir``; returns the paths.

    ``built`` is gone through twice, one dashboard at a time (a build's dashboards are
    read back from their files): once to refuse what cannot be written, once to write.
    """
    dash_root = out_dir / "dashboards"
    provider = out_dir / PROVIDER_FILE
    managed = _plan_provisioning(built, out_dir, folder)
    for directory in (dash_root, provider.parent):
        prepare_output_dir(directory)
    write_atomic(provider, to_yaml(provider_document(grafana_path, folder)))
    written = [provider]
    entries: dict[str, Entry] = {}
    for item in built:
        relative = _provisioned_path(item, folder)
        path = dash_root / relative
        prepare_output_dir(path.parent)
        text = item.text()
        write_atomic(path, text)
        entries[relative] = entry(text, folder if folder is not None else item.folder)
        written.append(path)
    managed.finish(entries)
    return [*written, dash_root / MANIFEST_NAME]


def check_provisioning(built: Sequence[BuiltDashboard], out_dir: Path) -> None:
    """Refuse, before anything is written, what `write_provisioning` would refuse half-way."""
    _plan_provisioning(built, out_dir, None)


def _plan_provisioning(
    built: Sequence[BuiltDashboard], out_dir: Path, folder: str | None
) -> ManagedFolder:
    """DIR/dashboards as meshdash left it, once no dashboard would overwrite a foreign file."""
    managed = ManagedFolder(out_dir / "dashboards", is_built_dashboard)
    managed.refuse_foreign(_provisioned_path(item, folder) for item in built)
    refuse_foreign(out_dir, None, [PROVIDER_FILE.as_posix()], _is_meshdash_provider)
    return managed


def _provisioned_path(item: BuiltDashboard, folder: str | None) -> str:
    sub = None if folder is not None else _folder_of(item, None)
    return f"{sub}/{item.filename}" if sub else item.filename


def configmap_name(uid: str) -> str:
    """A Kubernetes object name (RFC 1123 label) for a dashboard uid."""
    name = re.sub(r"[^a-z0-9-]+", "-", uid.lower()).strip("-")
    return f"meshdash-{name}"[:63].rstrip("-")


def configmap_document(
    item: BuiltDashboard, folder: str | None = None, namespace: str | None = None
) -> dict[str, Any]:
    text = _configmap_text(item)
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
    """One ``<name>.yaml`` ConfigMap per dashboard, and their entries in kustomization.yaml.

    Every dashboard is checked, and an existing kustomization.yaml read, before anything
    is written; then the ConfigMaps are written one dashboard at a time. The
    kustomization keeps every key and resource meshdash did not put there.
    """
    managed, merged = _plan_configmaps(built, out_dir, folder)
    prepare_output_dir(out_dir)
    entries: dict[str, Entry] = {}
    for item in built:
        name = _configmap_file(item)
        text = to_yaml(configmap_document(item, folder, namespace))
        write_atomic(out_dir / name, text)
        entries[name] = entry(text, _folder_of(item, folder))
    kustomization = out_dir / KUSTOMIZATION
    if merged is not None:
        write_atomic(kustomization, merged)
    managed.finish(entries)
    return [*(out_dir / name for name in entries), kustomization, out_dir / MANIFEST_NAME]


def check_configmaps(
    built: Sequence[BuiltDashboard], out_dir: Path, folder: str | None = None
) -> None:
    """Refuse, before anything is written, what `write_configmaps` would refuse half-way."""
    _plan_configmaps(built, out_dir, folder)


def _plan_configmaps(
    built: Sequence[BuiltDashboard], out_dir: Path, folder: str | None
) -> tuple[ManagedFolder, str | None]:
    """The folder as meshdash left it, and the kustomization text to write (None: as it is)."""
    files = _configmap_files(built, folder)
    managed = ManagedFolder(out_dir, _is_meshdash_configmap)
    managed.refuse_foreign(files)
    previously_ours = set(managed.previous or {})
    merged = merged_kustomization(out_dir / KUSTOMIZATION, files, previously_ours)
    return managed, merged


def _configmap_files(built: Sequence[BuiltDashboard], folder: str | None) -> list[str]:
    """The ConfigMap file names; one line on what no ConfigMap can hold or place."""
    files: dict[str, tuple[str, str]] = {}
    for item in built:
        name = _configmap_file(item)
        if name in files:
            uid, source = files[name]
            raise OutputError(
                f"dashboards {uid!r} ({source}) and {item.uid!r} ({item.source}) "
                f"both make ConfigMap {name}; give them uids that differ in more than case, "
                "'-' and '_'"
            )
        _configmap_text(item)
        _folder_of(item, folder)
        files[name] = (item.uid, str(item.source))
    return list(files)


def _configmap_file(item: BuiltDashboard) -> str:
    return f"{configmap_name(item.uid)}.yaml"


def _configmap_text(item: BuiltDashboard) -> str:
    text = item.text()
    if len(text.encode("utf-8")) > CONFIGMAP_LIMIT:
        raise OutputError(
            f"dashboard {item.uid!r} ({item.source}) is over 1 MiB of JSON, more than one "
            "ConfigMap holds; split it or deliver it with push/provisioning"
        )
    return text


def merged_kustomization(path: Path, ours: list[str], previously_ours: set[str]) -> str | None:
    """The kustomization listing ``ours``, keeping everything else; None when it needs no change."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return to_yaml({**KUSTOMIZATION_HEAD, "resources": sorted(ours)})
    except OSError as exc:
        raise OutputError(f"cannot read {path}: {exc.strerror}") from None
    refuse = f"{path} was not written by meshdash and "
    try:
        document = yaml.safe_load(text)
    except yaml.YAMLError:
        raise OutputError(refuse + "is not valid YAML; fix it or move it away") from None
    document = {} if document is None else document
    resources = document.get("resources", []) if isinstance(document, dict) else None
    if not isinstance(resources, list):
        raise OutputError(refuse + "is not a Kustomization with a resources: list; fix it")
    gone = previously_ours - set(ours)
    merged = [r for r in resources if r not in gone]
    merged += sorted(name for name in ours if name not in resources)
    if merged == resources:
        return None
    if re.search(r"(^|\s)#", text, re.MULTILINE):
        added = ", ".join(sorted(set(merged) - set(resources))) or "nothing"
        raise OutputError(
            refuse + f"has comments meshdash would lose; list {added} in its resources "
            f"(and drop {', '.join(sorted(gone & set(resources))) or 'nothing'}) yourself"
        )
    return to_yaml({**document, "resources": merged})


def _is_meshdash_configmap(path: Path) -> bool:
    """A ConfigMap labelled as meshdash's: what meshdash wrote before manifests."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    metadata = data.get("metadata") if isinstance(data, dict) else None
    labels = metadata.get("labels") if isinstance(metadata, dict) else None
    return isinstance(labels, dict) and labels.get(MANAGED_BY) == "meshdash"


def _is_meshdash_provider(path: Path) -> bool:
    """The provider file meshdash writes: one provider, named "meshdash"."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        return False
    providers = data.get("providers") if isinstance(data, dict) else None
    if not isinstance(providers, list) or len(providers) != 1:
        return False
    return isinstance(providers[0], dict) and providers[0].get("name") == "meshdash"
