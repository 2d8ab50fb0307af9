"""Every shipped panel built for plain Envoy equals the truth of the same mesh under Consul.

The simulator emits the plain Envoy flavor from the same traffic model: Envoy's own tags,
the service from a scrape label (`local_cluster` by default), the subsets of a service
as one cluster. So each panel must return, under Envoy's label names, exactly what the
Consul flavor's truth says for the same service and upstream: the Consul expectations
of test_validate_numbers, with their result labels renamed, judge the Envoy queries.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from types import SimpleNamespace

import pytest

from generator.flavors import using_flavor
from generator.promql.dashboard import iter_targets
from generator.sim import Mesh
from tests.conftest import build_shipped
from tests.validate.conftest import Backfill, open_backfill
from tests.validate.test_validate_numbers import (
    EXPECTATIONS,
    ONLY_WITH_TCP,
    Expect,
    compare_with_truth,
)

#: the observability story's dashboards (the other stories: test_story_numbers_envoy)
DASHBOARDS = [
    d
    for d in build_shipped("envoy")
    if d.uid in {"meshdash-envoy-overview", "meshdash-envoy-service"}
]
CONSUL_TO_ENVOY = {
    "consul_destination_service": "envoy_cluster_name",
    "consul_source_service": "local_cluster",
}


def _envoy_uid(uid: str) -> str:
    return uid.replace("meshdash-", "meshdash-envoy-", 1)


def _renamed(expect: Expect) -> Expect:
    return Expect(tuple(CONSUL_TO_ENVOY.get(x, x) for x in expect.labels), expect.values)


ENVOY_EXPECTATIONS = {
    (_envoy_uid(uid), title, ref): _renamed(expect)
    for (uid, title, ref), expect in EXPECTATIONS.items()
    if uid in {"meshdash-overview", "meshdash-service"}
}


def judged_by_consul(backfill: Backfill) -> SimpleNamespace:
    """The Envoy backfill's client and window, with the truth of the same mesh under Consul."""
    with using_flavor("consul"):
        consul_truth = Mesh(backfill.sandbox.mesh.config).truth()
    return SimpleNamespace(
        client=backfill.client,
        options=backfill.options,
        sandbox=SimpleNamespace(truth=consul_truth),
    )


@pytest.fixture(scope="module")
def backfill() -> Iterator[Backfill]:
    with ExitStack() as stack:
        with using_flavor("envoy"):
            opened = stack.enter_context(open_backfill())
        yield opened


def test_every_shipped_envoy_target_has_an_expectation() -> None:
    shipped = [
        (d.uid, ref.panel_title, ref.ref_id) for d in DASHBOARDS for ref in iter_targets(d.data)
    ]
    assert sorted(shipped) == sorted(ENVOY_EXPECTATIONS)


def test_no_consul_tag_is_emitted(backfill: Backfill) -> None:
    series = backfill.sandbox.mesh.truth().select("envoy_cluster_upstream_rq_xx")
    labels = {name for s in series for name, _ in s.labels}
    assert labels == {
        "local_cluster",
        "envoy_cluster_name",
        "envoy_response_code_class",
    }


@pytest.mark.parametrize("key", sorted(ENVOY_EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_envoy_panel_numbers_equal_the_consul_truth(
    backfill: Backfill, key: tuple[str, str, str]
) -> None:
    uid, title, ref_id = key
    judged = judged_by_consul(backfill)
    item = next(d for d in DASHBOARDS if d.uid == uid)
    checked = compare_with_truth(judged, item.data, title, ref_id, ENVOY_EXPECTATIONS[key])
    assert (checked == 0) if (title, ref_id) in ONLY_WITH_TCP else (checked > 0)
