"""The no-change push's fast paths: the resource API's next LIST page is asked for early,
from the token in a page's head, but the parsed page decides which page comes next; the
cycle collector pauses while a plan parses, and only then."""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
from grafana_testdata import (
    ADMIN_TOKEN,
    fast_settings,
    small_dashboard,
    summary_counts,
    write_build,
)
from standin import GrafanaStandIn

from generator.grafana.api_choice import ApiChoice
from generator.grafana.client import GrafanaClient
from generator.grafana.resources import ResourceClient, head_continue

LIST = "/apis/dashboard.grafana.app/v1/namespaces/default/dashboards"


@pytest.fixture
def grafana() -> Iterator[GrafanaStandIn]:
    """Grafana 13 only (the fixture of conftest runs every release)."""
    with GrafanaStandIn(tokens={ADMIN_TOKEN: "Admin"}, mode="grafana13") as standin:
        yield standin


STANDIN_HEAD = b'{"kind": "DashboardList", "apiVersion": "dashboard.grafana.app/v1", '


@pytest.mark.parametrize(
    ("body", "token"),
    [
        (STANDIN_HEAD + b'"metadata": {"resourceVersion": "7", "continue": "eyJvIjo1fQ=="}, '
         b'"items": []}', "eyJvIjo1fQ=="),
        (b'{"kind":"DashboardList","metadata":{"continue":"a\\/b"},"items":[]}', "a/b"),
        (STANDIN_HEAD + b'"metadata": {"resourceVersion": "7"}, "items": []}', ""),
        (b'{"items": [{"metadata": {"continue": "x"}}], "metadata": {"continue": "y"}}', ""),
        (b'{"kind": "DashboardList", "metadata": {"x": {"continue": "nested"}}}', ""),
        (b'{"kind": "DashboardList", "metadata": {"continue": 5}}', ""),
        (b"Not found", ""),
    ],
)  # fmt: skip
def test_head_continue_reads_only_a_flat_metadata_before_the_items(body, token):
    assert head_continue(body) == token


class Pages:
    """A LIST whose first page's head names token "decoy", while its parsed metadata (the
    last duplicate key wins in JSON parsing) names "real"; each page lists its token."""

    def __init__(self) -> None:
        self.asked: list[str] = []
        self.lock = threading.Lock()

    def __call__(self, request: requests.PreparedRequest, timeout: object) -> requests.Response:
        token = parse_qs(urlsplit(request.url or "").query).get("continue", [""])[0]
        with self.lock:
            self.asked.append(token)
        bodies = {
            "": '{"metadata": {"continue": "decoy"}, "items": [%s], "metadata": {"continue": '
            '"real"}}',
            "decoy": '{"metadata": {}, "items": [%s]}',
            "real": '{"metadata": {"continue": "last"}, "items": [%s]}',
            "last": '{"metadata": {}, "items": [%s]}',
        }
        item = '{"metadata": {"name": "from-%s"}, "spec": {"title": "t"}}' % (token or "first")
        answer = requests.Response()
        answer.status_code = 200
        answer._content = (bodies[token] % item).encode()
        answer.request = request
        return answer


def test_a_wrong_early_token_costs_a_request_never_a_wrong_listing():
    pages = Pages()
    with GrafanaClient(fast_settings("http://grafana.example"), send=pages) as client:
        listed = ResourceClient(client, ApiChoice("apis", "v1")).list_dashboards()

    assert [remote.uid for remote in listed] == ["from-first", "from-real", "from-last"]
    assert pages.asked[0] == "" and pages.asked.count("real") == 1
    assert pages.asked.count("last") == 1  # asked early, from the head of page "real"


@pytest.mark.parametrize("good_build", [True, False])
def test_the_cycle_collector_pauses_only_while_a_plan_parses(
    meshdash, grafana, build_dir, good_build
):
    seen: list[bool] = []
    original = GrafanaClient.read_whole_run

    def spying(self, path, **kwargs):
        seen.append(gc.isenabled())
        return original(self, path, **kwargs)

    if not good_build:
        (build_dir / "broken.json").write_text("{", encoding="utf-8")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(GrafanaClient, "read_whole_run", spying)
        run = meshdash("push", "--from", str(build_dir))

    assert run.code == (0 if good_build else 2), run.err
    assert not any(seen)  # paused while Grafana was listed
    assert seen or not good_build  # a bad build may stop the run before the first request
    assert gc.isenabled()  # and on again afterwards, also after a bad build


def list_pages(grafana: GrafanaStandIn) -> int:
    """How many pages the stand-in's LIST takes, walked one at a time."""
    pages, token = 0, ""
    while True:
        params = {"limit": "1000", **({"continue": token} if token else {})}
        headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
        answer = requests.get(grafana.url + LIST, params=params, headers=headers, timeout=5)
        pages += 1
        token = answer.json()["metadata"].get("continue", "")
        if not token:
            return pages


def test_one_panel_edited_among_many_pages_is_the_one_drift_and_each_page_asked_once(
    meshdash, grafana, tmp_path
):
    build = {
        f"svc-{n:02}": small_dashboard(f"svc-{n:02}", f"Service {n}", f'up{{job="{n}"}}')
        for n in range(40)
    }  # schemaVersion 39: Grafana 13 migrates it, and drops id and version, on write
    build_dir = write_build(tmp_path / "build", build)
    assert meshdash("push", "--from", str(build_dir)).code == 0
    grafana.max_page_bytes = 4000
    grafana.edit_in_ui("svc-23", lambda d: d["panels"][0].update(title="Requests (mine)"))
    pages = list_pages(grafana)
    before = sum(grafana.requests.values())

    run = meshdash("push", "--from", str(build_dir))

    asked = sum(grafana.requests.values()) - before
    assert run.code == 1 and "svc-23" in run.err
    counts = summary_counts(run.out)
    assert (counts["drifted"], counts["unchanged"]) == (1, 39)
    # nothing but the LIST, each page once (the first push listed an empty store)
    assert pages > 3 and asked == pages and grafana.count("GET", LIST) == 1 + 2 * pages
