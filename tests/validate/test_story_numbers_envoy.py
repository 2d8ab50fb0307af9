"""The story's dashboards built for plain Envoy equal the truth of the Envoy-flavored sandbox.

As test_story_numbers does for Consul, with the incidents on, but under Envoy's own tags:
the service is the scrape label (`local_cluster` by default), an upstream is
`envoy_cluster_name` (a service's subsets are one cluster), and the RBAC filters sit on
the `ingress_http` listener. The release dashboard has no per-version panels here, so
only its retry counters are held.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack

import pytest

from generator.flavors import ENVOY, using_flavor
from generator.promql.dashboard import iter_targets
from generator.sim import MeshConfig
from generator.sim.incidents import Incidents
from tests.conftest import build_shipped
from tests.validate.conftest import Backfill, open_backfill
from tests.validate.test_story_numbers import StoryLabels, shared_story_expectations
from tests.validate.test_validate_numbers import compare_with_truth

STORY_UIDS = ("meshdash-envoy-release", "meshdash-envoy-resilience", "meshdash-envoy-security")
DASHBOARDS = [d for d in build_shipped("envoy") if d.uid in STORY_UIDS]
SERVICE, DEST = ENVOY.proxy_label, ENVOY.destination_label


@pytest.fixture(scope="module")
def story() -> Iterator[Backfill]:
    with ExitStack() as stack:
        with using_flavor("envoy"):
            config = MeshConfig(incidents=Incidents(), tcp_service=True)
            opened = stack.enter_context(open_backfill(config))
        yield opened


LABELS = StoryLabels(source=SERVICE, proxy=SERVICE, dest=DEST, inbound_prefix=ENVOY.inbound_prefix)
EXPECTATIONS = shared_story_expectations(STORY_UIDS, LABELS)


def test_every_envoy_story_target_has_an_expectation() -> None:
    shipped = [
        (d.uid, ref.panel_title, ref.ref_id) for d in DASHBOARDS for ref in iter_targets(d.data)
    ]
    assert sorted(shipped) == sorted(EXPECTATIONS)


def test_the_incidents_strike_under_envoy_names(story: Backfill) -> None:
    """Guards against a story whose numbers are all 0 (and so equal any broken query's)."""
    truth = story.sandbox.truth
    assert truth.rate("envoy_http_rbac_denied", **{SERVICE: "payments"}) == 0.25
    retry = "envoy_cluster_upstream_rq_retry_overflow"
    assert truth.rate(retry, **{SERVICE: "api", DEST: "payments"}) == 0.25
    assert truth.rate("envoy_connect_authz_rbac_denied", **{SERVICE: "ledger"}) == 0.125
    assert not any(truth.select("envoy_http_rbac_denied", consul_source_service="payments"))


@pytest.mark.parametrize("key", sorted(EXPECTATIONS), ids=lambda k: f"{k[0]}:{k[1]}:{k[2]}")
def test_envoy_story_numbers_equal_ground_truth(story: Backfill, key: tuple[str, str, str]) -> None:
    uid, title, ref_id = key
    item = next(d for d in DASHBOARDS if d.uid == uid)
    checked = compare_with_truth(story, item.data, title, ref_id, EXPECTATIONS[key])
    assert checked > 0, f"{key}: no point compared for any variable value"
