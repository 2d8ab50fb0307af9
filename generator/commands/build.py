"""`meshdash build`: definitions -> one `<uid>.json` per dashboard."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from contextlib import closing
from pathlib import Path
from typing import TYPE_CHECKING

import click

from generator.commands.definitions import definitions_options, resolve_sources
from generator.commands.params import EXIT_OK, flag_hints, problems_found
from generator.flavors import current_flavor
from generator.outputs import cache
from generator.outputs.manifest import MANIFEST_NAME, file_hash

if TYPE_CHECKING:
    from generator.outputs.built import BuiltDashboard
    from generator.outputs.staging import StagedOutputs

DEFAULT_OUT = Path("build/dashboards")


@click.command("build")
@definitions_options
@click.option(
    "--out",
    "out_dir",
    type=click.Path(path_type=Path),
    default=DEFAULT_OUT,
    show_default=True,
    help="Where the JSON files go.",
)
@click.option(
    "--check",
    is_flag=True,
    help="Write nothing; exit 1 naming the files that differ from a fresh build.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Rebuild even when no input changed (definitions that read files outside the inputs).",
)
@click.option(
    "--provisioning",
    "provisioning_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write a Grafana file-provisioning provider and the JSON files here.",
)
@click.option(
    "--configmap",
    "configmap_dir",
    type=click.Path(path_type=Path, file_okay=False),
    help="Also write one ConfigMap per dashboard here, for Grafana's dashboard sidecar.",
)
@flag_hints(out_dir="--out")
def build_command(
    dashboards_dir: Path | None,
    queries_dirs: tuple[Path, ...],
    out_dir: Path,
    check: bool,
    no_cache: bool,
    provisioning_dir: Path | None,
    configmap_dir: Path | None,
) -> int:
    """Build the dashboards into Grafana JSON."""
    dashboards, queries = resolve_sources(dashboards_dir, queries_dirs)
    if check:
        rebuild = _rebuild_command(dashboards_dir, queries_dirs, out_dir)
        return _check(dashboards, queries, out_dir, rebuild)
    key = cache.inputs_fingerprint(dashboards, queries)
    delivering = provisioning_dir is not None or configmap_dir is not None
    if not (no_cache or delivering) and _report_cached(out_dir, key):
        return EXIT_OK
    # Imported only now: loading grafanalib is most of a no-change build.
    from generator.outputs.build import iter_built
    from generator.outputs.staging import StagedOutputs

    staged = StagedOutputs(out_dir)
    try:
        with (
            cache.recording_environment() as reads,
            closing(iter_built(dashboards, queries_dirs=queries)) as built,
        ):
            for item in built:
                staged.add(item)
        if delivering:
            _deliver(staged.dashboards(), provisioning_dir, configmap_dir, check_only=True)
        staged.commit(_report)
    finally:
        staged.discard()
    cache.remember(out_dir, key, _hashes(staged), reads)
    if delivering:
        _deliver(staged.dashboards(), provisioning_dir, configmap_dir, check_only=False)
    return EXIT_OK


def _deliver(
    built: Sequence[BuiltDashboard],
    provisioning_dir: Path | None,
    configmap_dir: Path | None,
    *,
    check_only: bool,
) -> None:
    """Write provisioning files and ConfigMaps; with ``check_only``, refuse before any write."""
    from generator.outputs import deliver

    if provisioning_dir is not None and check_only:
        deliver.check_provisioning(built, provisioning_dir)
    elif provisioning_dir is not None:
        written = deliver.write_provisioning(built, provisioning_dir)
        click.echo(f"provisioning: {len(written)} file(s) in {provisioning_dir}")
    if configmap_dir is not None and check_only:
        deliver.check_configmaps(built, configmap_dir)
    elif configmap_dir is not None:
        written = deliver.write_configmaps(built, configmap_dir)
        click.echo(f"configmaps: {len(written)} file(s) in {configmap_dir}")


def _rebuild_command(
    dashboards_dir: Path | None, queries_dirs: tuple[Path, ...], out_dir: Path
) -> str:
    """The `meshdash build` that rewrites what `--check` compared: the same options."""
    words = ["meshdash", "build"]
    ctx = click.get_current_context()
    if ctx.get_parameter_source("flavor") == click.core.ParameterSource.COMMANDLINE:
        words += ["--flavor", current_flavor().name]
    if dashboards_dir is not None:
        words += ["--dashboards", str(dashboards_dir)]
    for folder in queries_dirs:
        words += ["--queries", str(folder)]
    if out_dir != DEFAULT_OUT:
        words += ["--out", str(out_dir)]
    return shlex.join(words)


def _check(dashboards: Path, queries: list[Path], out_dir: Path, rebuild: str) -> int:
    from generator.outputs.build import iter_built
    from generator.outputs.staging import check_outputs

    with closing(iter_built(dashboards, queries_dirs=queries)) as built:
        count, problems = check_outputs(built, out_dir)
    for line in problems:
        click.echo(f"drift: {line}", err=True)
    if problems:
        return problems_found(
            f"{len(problems)} file(s) in {out_dir} differ from a fresh build; "
            f"run `{rebuild}` and commit the result"
        )
    click.echo(f"{count} dashboard(s) in {out_dir} match a fresh build")
    return EXIT_OK


def _report_cached(out_dir: Path, key: str) -> bool:
    """Report the outputs unchanged when the last build had the same inputs."""
    cached = cache.cached_outputs(out_dir, key)
    if cached is None:
        return False
    # One write: click flushes after each echo, a system call per line.
    lines = [f"unchanged {path}" for path in cached if path.name != MANIFEST_NAME]
    lines.append("no input changed since the last build; nothing rebuilt (--no-cache to force)")
    click.echo("\n".join(lines))
    return True


def _report(path: str, state: str) -> None:
    if state == "removed":
        click.echo(f"removed   {path} (no dashboard defines it any more)")
    else:
        click.echo(f"{state:9} {path}")


def _hashes(staged: StagedOutputs) -> dict[str, str]:
    """The hash of each file the cache must find intact."""
    hashes = {out.filename: out.sha256 for out in staged.outputs}
    hashes[MANIFEST_NAME] = file_hash(staged.out_dir / MANIFEST_NAME) or ""
    return hashes
