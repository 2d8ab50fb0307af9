"""Query templates: strict rendering, Grafana legends untouched, every shipped query parses."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import promql_parser
import pytest

from generator.errors import QueryTemplateError
from generator.flavors import CONSUL, ENVOY, Flavor
from generator.panels import http, latency, upstreams
from generator.promql.dashboard import variable_promql
from generator.queries import list_templates, render_query, search_path
from tests.conftest import ROOT

SAMPLES = {"$__rate_interval": "1m", "$service": "api", "$upstream": "payments"}
UPSTREAM = {"flavor": CONSUL, "service": "a", "upstream": "b", "metric": "m"}


def _substitute(expr: str) -> str:
    for name, value in SAMPLES.items():
        expr = expr.replace(name, value)
    return expr


def _targets(built):
    for panel in built.data["panels"]:
        for p in [panel, *panel.get("panels", [])]:
            for target in p.get("targets", []):
                yield p["title"], target


def test_every_shipped_query_parses_with_sample_values(shipped) -> None:
    count = 0
    for built in shipped:
        for title, target in _targets(built):
            expr = _substitute(target["expr"])
            assert "$" not in expr, (title, expr)
            promql_parser.parse(expr)  # raises ValueError on a syntax error
            count += 1
        for variable in built.data["templating"]["list"]:
            promql = variable_promql(variable)  # inside query_result(...) or label_values(...)
            if promql is not None:
                promql_parser.parse(_substitute(promql))
    assert count == 77  # 31 of the service and overview dashboards, 46 of the story's


def test_every_range_uses_rate_interval(shipped) -> None:
    for built in shipped:
        for title, target in _targets(built):
            ranges = re.findall(r"\[([^\]]+)\]", target["expr"])
            assert set(ranges) <= {"$__rate_interval"}, (title, ranges)
            # gauges (breakers, endpoints, certificate days) are read without a range
            assert bool(ranges) == ("rate(" in target["expr"]), (title, ranges)


def test_legends_keep_grafana_label_syntax() -> None:
    panel = upstreams.upstream_request_rate(flavor=CONSUL)
    assert panel.targets[0].legendFormat == "{{consul_destination_service}} {{envoy_response_code}}"


def test_a_flavor_changes_labels_not_panels() -> None:
    consul = http.downstream_request_rate(flavor=CONSUL).targets[0].expr
    envoy = http.downstream_request_rate(flavor=ENVOY).targets[0].expr
    assert 'envoy_http_conn_manager_prefix="public_listener"' in consul
    assert 'envoy_http_conn_manager_prefix="ingress_http"' in envoy
    up = upstreams.upstream_request_rate(flavor=ENVOY).targets[0].expr
    assert 'envoy_cluster_name=~"$upstream"' in up and "consul_" not in up


def test_latency_is_aggregated_by_le_for_each_quantile() -> None:
    panel = latency.upstream_latency(quantiles=(0.5, 0.999))
    exprs = [t.expr for t in panel.targets]
    assert [t.refId for t in panel.targets] == ["A", "B"]
    assert exprs[0].startswith("histogram_quantile(0.5, sum by (le, consul_destination_service)")
    assert exprs[1].startswith("histogram_quantile(0.999,")
    assert [t.legendFormat for t in panel.targets][1] == "{{consul_destination_service}} p99.9"


def test_missing_parameter_names_template_and_parameter() -> None:
    with pytest.raises(QueryTemplateError) as info:
        render_query("upstream/request_rate", flavor=CONSUL, service="$service", metric="m")
    assert str(info.value).startswith(
        "query template 'upstream/request_rate.promql.j2': 'upstream' is undefined"
    )


def test_missing_template_names_it() -> None:
    with pytest.raises(QueryTemplateError, match=re.escape("'nope/never.promql.j2' not found")):
        render_query("nope/never")


def test_templates_render_to_one_line_and_keep_spaces_in_values() -> None:
    expr = render_query("http/downstream_request_rate", flavor=CONSUL, service="a  b")
    assert "\n" not in expr and 'local_cluster=~"a  b"' in expr
    assert expr.startswith("sum by (local_cluster, envoy_response_code_class) (rate(")


def test_every_template_is_listed_and_used() -> None:
    # The oracle is the folder itself, not a count that restates today's templates.
    source = ROOT / "queries"
    on_disk = {p.relative_to(source).as_posix() for p in source.rglob("*.promql.j2")}
    names = list_templates()
    assert "latency/upstream_quantile" in names and "variables/services" in names
    assert sorted(f"{name}.promql.j2" for name in names) == sorted(on_disk)


def _template(folder: Path, name: str, body: bytes) -> None:
    path = folder / f"{name}.promql.j2"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(body)


def test_own_templates_are_searched_first_then_the_built_in_ones(tmp_path: Path) -> None:
    _template(tmp_path, "http/downstream_request_rate", b"sum(mine{a=~'<< service >>'})")
    with search_path([tmp_path]):
        assert render_query("http/downstream_request_rate", service="x") == "sum(mine{a=~'x'})"
        assert render_query("upstream/request_rate", **UPSTREAM).startswith("sum by (")


def test_a_missing_template_lists_each_folder_once_in_search_order(tmp_path: Path) -> None:
    # The project's own queries/ is also where the built-in templates come from.
    with (
        search_path([tmp_path, ROOT / "queries", tmp_path]),
        pytest.raises(QueryTemplateError) as info,
    ):
        render_query("nope/never")
    where = str(info.value).split(" not found in ")[1].split("; ")[0].split(", ")
    assert where == [str(tmp_path), f"{ROOT / 'queries'} (built-in)"]


def test_a_template_that_is_not_utf8_is_named(tmp_path: Path) -> None:
    _template(tmp_path, "team/latin1", 'sum(x{team="Zürich"})'.encode("latin-1"))
    with search_path([tmp_path]), pytest.raises(QueryTemplateError) as info:
        render_query("team/latin1")
    message = str(info.value)
    assert message.startswith(f"query template {tmp_path / 'team/latin1.promql.j2'}: not UTF-8")
    assert "save it as UTF-8" in message and "\n" not in message


def test_an_attribute_typo_names_the_attribute_and_the_known_ones(tmp_path: Path) -> None:
    _template(tmp_path, "team/typo", b"sum(x{<< flavor.source_lable >>=~'a'})")
    with search_path([tmp_path]), pytest.raises(QueryTemplateError) as info:
        render_query("team/typo", flavor=CONSUL)
    message = str(info.value)
    assert message.startswith(
        "query template 'team/typo.promql.j2': flavor has no attribute 'source_lable'; "
        "did you mean source_label?"
    )
    for field in dataclasses.fields(Flavor):
        assert field.name in message
    assert "keyword" not in message


def test_a_queries_folder_that_does_not_exist_is_named(run_cli, tmp_path: Path) -> None:
    (tmp_path / "dashboards").mkdir()
    result = run_cli(
        "build", "--dashboards", str(tmp_path / "dashboards"), "--queries", str(tmp_path / "qs")
    )
    assert result.exit_code == 2
    assert result.err.strip().endswith(
        f"query templates folder {tmp_path / 'qs'} does not exist; create it or fix the name"
    )


def _counting_is_file(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    calls: list[Path] = []
    real = Path.is_file

    def is_file(self: Path) -> bool:
        calls.append(self)
        return real(self)

    monkeypatch.setattr(Path, "is_file", is_file)
    return calls


def test_the_disk_is_asked_once_per_flavored_template_and_search_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = _counting_is_file(monkeypatch)
    with search_path([tmp_path]):
        first = render_query("http/downstream_request_rate", flavor=CONSUL, service="a")
        asked = len(calls)
        for _ in range(50):
            again = render_query("http/downstream_request_rate", flavor=CONSUL, service="a")
            assert again == first
    assert asked > 0  # the counter sees the lookups the cache saves
    assert len(calls) == asked


def test_the_cached_answer_belongs_to_its_search_path(tmp_path: Path) -> None:
    plain, own = tmp_path / "plain", tmp_path / "own"
    plain.mkdir()
    _template(own / "consul", "http/downstream_request_rate", b"sum(own{a=~'<< service >>'})")
    with search_path([plain]):
        assert render_query("http/downstream_request_rate", flavor=CONSUL, service="a") != (
            "sum(own{a=~'a'})"
        )
    with search_path([own]):
        assert render_query("http/downstream_request_rate", flavor=CONSUL, service="a") == (
            "sum(own{a=~'a'})"
        )


def test_each_search_path_reads_its_templates_afresh(tmp_path: Path) -> None:
    """A template is read once per build (search path), so a second build in one process
    (the tests, the bench) sees an edit made between them."""
    _template(tmp_path, "team/q", b"up{a=~'<< service >>'}")
    with search_path([tmp_path]):
        assert render_query("team/q", service="a") == "up{a=~'a'}"
        assert render_query("team/q", flavor=CONSUL, service="b") == "up{a=~'b'}"
    _template(tmp_path, "team/q", b"down{a=~'<< service >>'}")
    _template(tmp_path / "consul", "team/q", b"consul{a=~'<< service >>'}")
    with search_path([tmp_path]):
        assert render_query("team/q", service="a") == "down{a=~'a'}"
        assert render_query("team/q", flavor=CONSUL, service="b") == "consul{a=~'b'}"
