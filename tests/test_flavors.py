"""Choosing the mesh: `--flavor` / `[tool.meshdash] flavor`, per-flavor uids, Istio's reporter rule."""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.flavors import FLAVORS, current_flavor, envoy_flavor, using_flavor
from generator.promql.dashboard import iter_targets
from generator.sim import Mesh, MeshConfig
from tests.conftest import DASHBOARDS, build_shipped
from tests.test_schema import _violations

#: the shipped definitions that pin no flavor
SHIPPED = ("overview", "service")
#: the story dashboards (security, release, resilience), which follow the flavor as well
STORY = ("security", "release", "resilience")
COMMANDS_WITH_DEFINITIONS = ("build", "list", "lint", "validate", "push", "diff", "preview")


@pytest.fixture(autouse=True)
def _restore_flavor() -> Iterator[None]:
    """`--flavor` sets the process's current flavor; later tests must not inherit it."""
    with using_flavor(current_flavor()):
        yield


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A project with the shipped definitions that follow the flavor (the others pin Consul)."""
    (tmp_path / "dashboards").mkdir()
    for name in SHIPPED:
        shutil.copyfile(DASHBOARDS / f"{name}.py", tmp_path / "dashboards" / f"{name}.py")
    monkeypatch.chdir(tmp_path)
    return tmp_path


def _uids(out: Path) -> set[str]:
    return {p.stem for p in out.glob("*.json")}


def test_each_flavor_builds_its_own_uids_and_titles(run_cli: Any, project: Path) -> None:
    titles = {}
    for name in ("consul", "istio", "envoy"):
        result = run_cli("build", "--flavor", name, "--out", f"out-{name}")
        assert result.exit_code == 0, result.err
        for path in (project / f"out-{name}").glob("*.json"):
            data = json.loads(path.read_text())
            assert name in data["tags"]
            titles[data["uid"]] = data["title"]
    # Consul keeps the uids existing users have; the others are distinct beside them.
    assert _uids(project / "out-consul") == {"meshdash-overview", "meshdash-service"}
    assert _uids(project / "out-istio") == {"meshdash-istio-overview", "meshdash-istio-service"}
    assert _uids(project / "out-envoy") == {"meshdash-envoy-overview", "meshdash-envoy-service"}
    assert len(set(titles.values())) == 6, titles


def test_the_overview_links_to_the_service_dashboard_of_its_own_flavor(
    run_cli: Any, project: Path
) -> None:
    assert run_cli("build", "--flavor", "istio", "--out", "out").exit_code == 0
    text = (project / "out" / "meshdash-istio-overview.json").read_text()
    assert set(re.findall(r"/d/([a-z-]+)\?", text)) == {"meshdash-istio-service"}


def test_the_setting_chooses_the_flavor_and_the_option_overrides_it(
    run_cli: Any, project: Path
) -> None:
    (project / "pyproject.toml").write_text('[tool.meshdash]\nflavor = "istio"\n')
    assert run_cli("build", "--out", "a").exit_code == 0
    assert _uids(project / "a") == {"meshdash-istio-overview", "meshdash-istio-service"}
    assert run_cli("build", "--flavor", "consul", "--out", "b").exit_code == 0
    assert _uids(project / "b") == {"meshdash-overview", "meshdash-service"}


def test_switching_flavor_rebuilds_despite_the_cache(run_cli: Any, project: Path) -> None:
    assert run_cli("build", "--out", "out").exit_code == 0
    result = run_cli("build", "--flavor", "istio", "--out", "out")
    assert result.exit_code == 0
    assert "no input changed" not in result.out
    assert _uids(project / "out") == {"meshdash-istio-overview", "meshdash-istio-service"}


@pytest.mark.parametrize("command", COMMANDS_WITH_DEFINITIONS)
def test_an_unknown_flavor_is_one_line_listing_the_known(
    run_cli: Any, project: Path, command: str
) -> None:
    result = run_cli(command, "--flavor", "linkerd")
    assert result.exit_code == 2
    known = ", ".join(sorted(FLAVORS))
    assert result.err == (
        f"meshdash: error: --flavor: unknown mesh flavor 'linkerd'; known flavors: {known}\n"
    )
    assert not (project / "build").exists()


def test_an_unknown_flavor_setting_names_the_pyproject(run_cli: Any, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.meshdash]\nflavor = "linkerd"\n')
    result = run_cli("list")
    assert result.exit_code == 2
    assert result.err.startswith(f"meshdash: error: {project / 'pyproject.toml'}: ")
    assert "unknown mesh flavor 'linkerd'; known flavors: consul, envoy, istio" in result.err


def test_list_and_lint_follow_the_flavor(run_cli: Any, project: Path) -> None:
    listed = run_cli("list", "--flavor", "istio")
    assert listed.exit_code == 0
    assert "istio_requests_total" in listed.out
    assert "envoy_cluster_upstream_rq" not in listed.out
    linted = run_cli("lint", "--flavor", "istio")
    assert linted.exit_code == 0, linted.out + linted.err


REPORTER = re.compile(r'reporter="(source|destination)"')
ISTIO_SELECTOR = re.compile(r"istio_\w+\{[^}]*\}")


def test_every_istio_selector_pins_one_reporter() -> None:
    """Summing both reporters counts every request twice."""
    selectors = []
    for item in build_shipped("istio"):
        if "istio" not in item.data["tags"]:
            continue  # a definition pinned to another mesh
        queries = [ref.expr for ref in iter_targets(item.data)]
        queries += [v["query"] for v in item.data["templating"]["list"] if v["type"] == "query"]
        for query in queries:
            selectors += ISTIO_SELECTOR.findall(query)
    assert len(selectors) > 20
    for selector in selectors:
        assert len(REPORTER.findall(selector)) == 1, selector


@pytest.mark.parametrize("flavor", sorted(FLAVORS))
def test_every_flavor_builds_schema_clean_dashboards(flavor: str, grafana_schema: Any) -> None:
    built = build_shipped(flavor)
    assert {f"{FLAVORS[flavor].uid_prefix}-{n}" for n in SHIPPED} <= {b.uid for b in built}
    for item in built:
        assert _violations(item.data, grafana_schema) == [], item.uid


@pytest.mark.parametrize("flavor", sorted(FLAVORS))
def test_every_flavor_is_lint_clean(run_cli: Any, project: Path, flavor: str) -> None:
    result = run_cli("lint", "--flavor", flavor)
    assert result.exit_code == 0, result.out + result.err


def test_plain_envoy_options_come_from_the_settings(run_cli: Any, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.meshdash]\nflavor = "envoy"\n\n'
        '[tool.meshdash.envoy]\nservice_label = "app"\ninbound_prefix = "inbound_http"\n'
    )
    listed = run_cli("list")
    assert listed.exit_code == 0, listed.err
    assert 'app=~"$service", envoy_http_conn_manager_prefix="inbound_http"' in listed.out
    assert "local_cluster" not in listed.out


def test_an_unknown_envoy_setting_is_named(run_cli: Any, project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.meshdash.envoy]\nservice_lable = "app"\n')
    result = run_cli("list")
    assert result.exit_code == 2
    assert "has no setting 'envoy.service_lable'; did you mean envoy.service_label?" in result.err


def test_the_simulator_speaks_the_configured_envoy_labels() -> None:
    with using_flavor(envoy_flavor(service_label="app", inbound_prefix="inbound_http")):
        truth = Mesh().truth()
    answered = truth.rate(
        "envoy_listener_http_downstream_rq_xx",
        app="api",
        envoy_http_conn_manager_prefix="inbound_http",
    )
    assert answered == MeshConfig().ingress_rps
    assert truth.rate("envoy_cluster_upstream_rq_xx", local_cluster="api") == 0


@pytest.mark.timeout(120)
@pytest.mark.parametrize("flavor", ["istio", "envoy"])
def test_validate_sandbox_simulates_the_chosen_mesh(
    run_cli: Any, project: Path, flavor: str
) -> None:
    """The live sandbox emits the flavor's metrics: every panel of every shipped dashboard."""
    for name in STORY:
        shutil.copyfile(DASHBOARDS / f"{name}.py", project / "dashboards" / f"{name}.py")
    result = run_cli("validate", "--sandbox", "--strict", "--range", "5m", "--flavor", flavor)
    assert result.exit_code == 0, result.out + result.err
    summary = result.out.strip().splitlines()[-1]
    assert re.match(r"validate: \d+ panel\(s\) ok, 0 failed, 0 warning\(s\)", summary), summary
    for name in (*SHIPPED, *STORY):
        assert f"meshdash-{flavor}-{name}" in result.out


def test_a_definition_naming_envoy_gets_the_configured_envoy(run_cli: Any, project: Path) -> None:
    (project / "pyproject.toml").write_text(
        '[tool.meshdash]\nflavor = "envoy"\n\n[tool.meshdash.envoy]\nservice_label = "app"\n'
    )
    (project / "dashboards" / "team.py").write_text(
        "from generator.dashboard import Dashboard, Row\n"
        "from generator.panels import http\n"
        "from generator.variables import datasource, service\n\n"
        'TEAM = Dashboard(uid="team", title="Team", variables=[datasource(), service()],\n'
        '    rows=[Row("In", [http.downstream_request_rate(flavor="envoy")])])\n'
    )
    listed = run_cli("list")
    assert listed.exit_code == 0, listed.err
    team = listed.out.split("team  Team")[1]
    assert 'app=~"$service"' in team and "local_cluster" not in team


def test_build_check_advises_the_build_with_the_same_options(run_cli: Any, project: Path) -> None:
    """`--check` names the command that rewrites what it compared, not `make dashboards`."""
    assert run_cli("build", "--flavor", "istio", "--out", "o").exit_code == 0
    (project / "o" / "meshdash-istio-service.json").write_text("{}\n")
    result = run_cli("build", "--check", "--flavor", "istio", "--out", "o")
    assert result.exit_code == 1, result.err
    assert "run `meshdash build --flavor istio --out o` and commit" in result.err
    assert "make dashboards" not in result.err


@pytest.mark.timeout(120)
def test_a_dashboard_pinned_to_another_mesh_than_the_sandbox_says_so(
    run_cli: Any, project: Path
) -> None:
    """README's team.py pins Consul: under an Istio sandbox its variable is empty, and why."""
    (project / "dashboards" / "team.py").write_text(
        "from generator.dashboard import Dashboard, Row\n"
        "from generator.flavors import CONSUL\n"
        "from generator.panels import http\n"
        "from generator.variables import datasource, service\n\n"
        'TEAM = Dashboard(uid="team", title="Team", variables=[datasource(), service(flavor=CONSUL)],\n'
        '    rows=[Row("In", [http.downstream_request_rate(flavor=CONSUL)])])\n'
    )
    result = run_cli("validate", "--sandbox", "--range", "5m", "--flavor", "istio")
    assert result.exit_code == 1, result.out + result.err
    assert (
        "not run: $service has no values; its panels are pinned to consul while the sandbox "
        "simulates istio" in result.out
    ), result.out
    # the shipped ones follow --flavor: nothing of theirs is said to be pinned
    assert result.out.count("pinned to") == 1, result.out
