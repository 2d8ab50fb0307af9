"""The pure parts of validate: Grafana's regex extraction and sort, legends, flags, fan-out cap."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.errors import ConfigError
from generator.http import Secret, scrub_url
from generator.validate import Connection, connection_from, legend_labels
from generator.validate.options import Option, extract_options
from generator.validate.plan import combinations

SERIES = [
    'envoy_cluster_upstream_rq_time_bucket{consul_destination_service="payments",le="5"}',
    'envoy_cluster_upstream_rq_time_bucket{consul_destination_service="currency",le="5"}',
    'envoy_cluster_upstream_rq_time_bucket{consul_destination_service="payments",le="10"}',
    'envoy_cluster_upstream_rq_time_bucket{envoy_cluster_name="local_app",le="5"}',
]
DEMO = '/consul_destination_service="([^"]*).*/'


@pytest.mark.parametrize(
    ("texts", "regex", "sort", "want"),
    [
        # the demo: first capture group, unmatched texts dropped, deduplicated, sorted
        (SERIES, DEMO, 1, ["currency", "payments"]),
        (SERIES, DEMO, 0, ["payments", "currency"]),
        (SERIES, DEMO, 2, ["payments", "currency"]),
        # no regex: texts as they are
        (["b", "a", "b"], None, 1, ["a", "b"]),
        # a regex without groups keeps the whole text of matching ones
        (["api-v1", "web", "api-v2"], "/^api/", 0, ["api-v1", "api-v2"]),
        # /g: every match's first group
        (['a="1" a="2"', 'a="3"'], '/a="(\\d)"/g', 0, ["1", "2", "3"]),
        # numerical sort reads the first number
        (["v10", "v9", "v100"], None, 3, ["v9", "v10", "v100"]),
        # case-insensitive
        (["b", "A", "c"], None, 5, ["A", "b", "c"]),
        # not anchored: exec finds the first match anywhere
        (["x-api-y"], "/api-(\\w)/", 0, ["y"]),
    ],
)
def test_options_follow_grafana(
    texts: list[str], regex: str | None, sort: int, want: list[str]
) -> None:
    assert [o.value for o in extract_options(texts, regex, sort)] == want


def test_named_groups_give_value_and_text() -> None:
    texts = ['up{instance="10.0.0.1:9100",pod="web-1"}']
    regex = '/instance="(?<value>[^"]+)".*pod="(?<text>[^"]+)"/'
    assert extract_options(texts, regex) == [Option("10.0.0.1:9100", "web-1")]


@pytest.mark.parametrize(
    ("legend", "labels"),
    [
        (
            "{{local_cluster}} {{envoy_response_code_class}}xx",
            ["local_cluster", "envoy_response_code_class"],
        ),
        ("{{ pod }}", ["pod"]),
        ("p99", []),
        (None, []),
        ("__auto", []),
    ],
)
def test_legend_labels(legend: str | None, labels: list[str]) -> None:
    assert legend_labels(legend) == labels


def test_combinations_are_capped_evenly_and_deterministically() -> None:
    assignments = [{"service": f"s{i:02d}"} for i in range(10)]
    picked = combinations(assignments, ("service",), 4)
    assert [dict(c)["service"] for c in picked] == ["s00", "s03", "s06", "s09"]
    assert combinations(assignments, ("service",), 4) == picked


def test_combinations_skip_assignments_missing_a_variable() -> None:
    assignments = [{"service": "api", "upstream": "payments"}, {"service": "currency"}]
    assert combinations(assignments, ("service",), 50) == [
        (("service", "api"),),
        (("service", "currency"),),
    ]
    assert combinations(assignments, ("service", "upstream"), 50) == [
        (("service", "api"), ("upstream", "payments"))
    ]


def test_connection_takes_secrets_from_env_and_hides_them(tmp_path: Path) -> None:
    env = {"PROMETHEUS_TOKEN": "tok-secret"}
    connection = connection_from(
        "http://127.0.0.1:9090", headers=["X-Scope-OrgID: tenant-1"], environ=env
    )
    assert connection.token == Secret("tok-secret")
    assert connection.headers == (("X-Scope-OrgID", "tenant-1"),)
    assert "tok-secret" not in repr(connection) and "tenant-1" not in repr(connection)
    token_file = tmp_path / "token"
    token_file.write_text("from-file\n")
    assert connection_from("http://x:1", token_file=token_file, environ=env).token == Secret(
        "from-file"
    )
    basic = connection_from(
        "http://x:1", environ={"PROMETHEUS_USER": "u", "PROMETHEUS_PASSWORD": "pw-secret"}
    )
    assert (basic.user, basic.password) == ("u", Secret("pw-secret"))
    assert "pw-secret" not in repr(basic)


def test_token_and_user_together_are_refused() -> None:
    env = {"PROMETHEUS_TOKEN": "t", "PROMETHEUS_USER": "u"}
    with pytest.raises(ConfigError, match="one way to authenticate"):
        connection_from("http://x:1", environ=env)


def test_scrub_url_drops_user_info() -> None:
    assert (
        scrub_url("https://me:pw@prom.example:9090/api/prom/")
        == "https://prom.example:9090/api/prom"
    )
    assert Connection("http://a:b@h:1").display_url == "http://h:1"
