"""The stand-in's resource API (`/apis`) and its strictness, checked with plain requests.

The stand-in is a test double written from the reference; these tests pin down what the
push tests rely on, so a lenient stand-in cannot make meshdash look right.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
import requests
from grafana_testdata import ADMIN_TOKEN, BUILD, VIEWER_TOKEN
from standin import GrafanaStandIn

BASE = "/apis/dashboard.grafana.app/{v}/namespaces/default/dashboards"


@pytest.fixture
def g13() -> Iterator[GrafanaStandIn]:
    with GrafanaStandIn(
        tokens={ADMIN_TOKEN: "Admin", VIEWER_TOKEN: "Viewer"}, mode="grafana13"
    ) as standin:
        yield standin


def call(
    standin: GrafanaStandIn, method: str, path: str, token: str = ADMIN_TOKEN, **kw: Any
) -> requests.Response:
    headers = {"Authorization": f"Bearer {token}"}
    return requests.request(method, standin.url + path, headers=headers, timeout=5, **kw)


def resource(uid: str, spec: dict[str, Any], **metadata: Any) -> dict[str, Any]:
    return {"metadata": {"name": uid, **metadata}, "spec": spec}


def test_grafana11_serves_no_apis_and_answers_plain_text_404():
    with GrafanaStandIn(tokens={ADMIN_TOKEN: "Admin"}) as standin:
        answer = call(standin, "GET", "/apis/dashboard.grafana.app")
    assert answer.status_code == 404
    assert answer.text == "Not found"


def test_discovery_lists_versions_and_prefers_v2_on_grafana13(g13):
    body = call(g13, "GET", "/apis/dashboard.grafana.app").json()
    assert [v["version"] for v in body["versions"]] == ["v1", "v1beta1", "v2beta1", "v2"]
    assert body["preferredVersion"]["version"] == "v2"
    missing = call(g13, "GET", BASE.format(v="v0alpha1"))
    assert missing.status_code == 404 and missing.json()["reason"] == "NotFound"


def test_both_apis_share_one_store_and_generation_is_the_legacy_version(g13):
    created = call(g13, "POST", BASE.format(v="v1"), json=resource("d1", BUILD["meshdash-service"]))
    assert created.status_code == 201
    legacy = call(g13, "GET", "/api/dashboards/uid/d1").json()["dashboard"]
    assert legacy["version"] == 1 and legacy["title"] == "Service overview"
    assert legacy["schemaVersion"] == 41  # Grafana 13 migrates the spec on write

    obj = call(g13, "GET", BASE.format(v="v1") + "/d1").json()
    assert obj["metadata"]["generation"] == 1
    assert not {"id", "uid", "version"} & set(obj["spec"])


def test_put_with_a_stale_resource_version_is_a_409_status(g13):
    call(g13, "POST", BASE.format(v="v1"), json=resource("d1", {"title": "A"}))
    first = call(g13, "GET", BASE.format(v="v1") + "/d1").json()["metadata"]["resourceVersion"]
    g13.edit_in_ui("d1", lambda d: d.update(title="B"))

    stale = call(
        g13, "PUT", BASE.format(v="v1") + "/d1",
        json=resource("d1", {"title": "C"}, resourceVersion=first),
    )  # fmt: skip

    assert stale.status_code == 409
    assert stale.json()["kind"] == "Status" and stale.json()["reason"] == "Conflict"
    assert g13.dashboard("d1")["title"] == "B"


def test_identical_put_keeps_the_resource_version(g13):
    call(g13, "POST", BASE.format(v="v1"), json=resource("d1", {"title": "A", "schemaVersion": 41}))
    before = call(g13, "GET", BASE.format(v="v1") + "/d1").json()["metadata"]
    again = call(
        g13, "PUT", BASE.format(v="v1") + "/d1",
        json=resource("d1", {"title": "A", "schemaVersion": 41},
                      resourceVersion=before["resourceVersion"]),
    ).json()["metadata"]  # fmt: skip
    assert again["resourceVersion"] == before["resourceVersion"]
    assert again["generation"] == before["generation"] == 1


def test_list_pages_end_at_the_byte_cap_before_the_limit(g13):
    g13.max_page_bytes = 1500
    for n in range(10):
        g13.seed_dashboard({"uid": f"d{n}", "title": f"D {n}", "description": "x" * 300})
    names, pages, token, sizes = [], 0, "", []
    while True:
        params = {"limit": 100, **({"continue": token} if token else {})}
        body = call(g13, "GET", BASE.format(v="v1"), params=params).json()
        pages += 1
        names += [item["metadata"]["name"] for item in body["items"]]
        sizes += [len(json.dumps(item, separators=(",", ":"))) for item in body["items"]]
        token = body["metadata"].get("continue", "")
        if not token:
            break
    assert sorted(names) == [f"d{n}" for n in range(10)]
    assert pages > 2
    # what the bench divides by the budget: the objects as stored, summed
    assert g13.apis.stored_bytes() == sum(sizes) > 3000


def test_legacy_get_of_a_schema_v2_dashboard_is_406_on_grafana13(g13):
    g13.seed_dashboard({"uid": "d1", "title": "A"})
    g13.edit_in_ui("d1", lambda d: d.update(title="B"), schema_v2=True)

    legacy = call(g13, "GET", "/api/dashboards/uid/d1")
    obj = call(g13, "GET", BASE.format(v="v1") + "/d1").json()

    assert (
        legacy.status_code == 406 and "/apis/dashboard.grafana.app/v2" in legacy.json()["message"]
    )
    assert obj["status"]["conversion"]["storedVersion"].startswith("v2")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ({"uid": "x" * 41, "title": "T"}, "uid too long"),
        ({"uid": "bad/uid", "title": "T"}, "illegal characters"),
        ({"uid": "new-one", "title": "T", "id": 99}, "not found"),
    ],
)
def test_legacy_save_refuses_bad_uids_and_unknown_ids(g13, body, message):
    answer = call(g13, "POST", "/api/dashboards/db", json={"dashboard": body})
    assert answer.status_code in (400, 404) and message in answer.json()["message"].lower()
    assert g13.dashboards == {}


def test_long_messages_and_provisioned_dashboards_are_refused_on_both_apis(g13):
    g13.seed_dashboard({"uid": "prov", "title": "P"}, provisioned=True)
    long = call(
        g13, "POST", "/api/dashboards/db",
        json={"dashboard": {"uid": "d1", "title": "T"}, "message": "m" * 501},
    )  # fmt: skip
    legacy = call(
        g13, "POST", "/api/dashboards/db",
        json={"dashboard": {"uid": "prov", "title": "Q", "version": 1}},
    )  # fmt: skip
    put = call(g13, "PUT", BASE.format(v="v1") + "/prov", json=resource("prov", {"title": "Q"}))

    assert long.status_code == 400 and "message too long" in long.json()["message"]
    assert legacy.status_code == 400 and "provisioned" in legacy.json()["message"]
    assert put.status_code == 400 and put.json()["kind"] == "Status"
    assert g13.dashboard("prov")["title"] == "P"


def test_viewer_write_on_apis_is_a_forbidden_status(g13):
    answer = call(
        g13, "POST", BASE.format(v="v1"), VIEWER_TOKEN, json=resource("d", {"title": "T"})
    )
    assert answer.status_code == 403 and answer.json()["reason"] == "Forbidden"
