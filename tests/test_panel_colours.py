"""Semantic colours (2xx green, 3xx blue, 4xx orange, 5xx red) and success objectives."""

from __future__ import annotations

import re
from typing import Any

import pytest

from generator.errors import DefinitionError
from generator.flavors import CONSUL, ISTIO
from generator.panels import http, overview, retries, upstreams
from generator.render.grafana_json import render_panel


def _colour_of(panel: dict[str, Any], series_name: str) -> str | None:
    """The fixed colour Grafana's byRegexp overrides give a series, as Grafana matches them."""
    for override in panel["fieldConfig"]["overrides"]:
        matcher = override["matcher"]
        assert matcher["id"] == "byRegexp" and isinstance(matcher["options"], str)
        pattern = matcher["options"].strip("/")
        if re.search(pattern, series_name):
            (colour,) = [p["value"]["fixedColor"] for p in override["properties"]]
            return colour
    return None


CLASSES = {"api 2xx": "green", "api 3xx": "blue", "api 4xx": "orange", "api 5xx": "red"}
CODES = {"payments 200": "green", "payments 301": "blue", "payments 404": "orange"}
RETRIES = {"payments retried 5xx": "red", "payments retries": None}


@pytest.mark.parametrize(
    ("builder", "expected"),
    [
        (http.downstream_request_rate, CLASSES),
        (upstreams.upstream_request_rate, {**CODES, "payments 503": "red"}),
        (retries.upstream_retries, RETRIES),
    ],
)
def test_response_classes_get_the_colours_sres_expect(
    builder: Any, expected: dict[str, str | None]
) -> None:
    panel = render_panel(builder(flavor=CONSUL), 1)
    assert {name: _colour_of(panel, name) for name in expected} == expected
    assert _colour_of(panel, "api 2xxx") is None


@pytest.mark.parametrize(
    "builder", [http.downstream_success_ratio, upstreams.upstream_success_ratio]
)
@pytest.mark.parametrize("flavor", [CONSUL, ISTIO])
def test_a_success_ratio_turns_red_below_its_objective(builder: Any, flavor: Any) -> None:
    default = render_panel(builder(flavor=flavor), 1)["fieldConfig"]["defaults"]
    assert default["thresholds"]["steps"] == [
        {"color": "red", "value": None},
        {"color": "green", "value": 0.99},
    ]
    assert default["custom"]["thresholdsStyle"] == {"mode": "area"}
    stricter = render_panel(builder(flavor=flavor, objective=0.999), 1)["fieldConfig"]["defaults"]
    assert stricter["thresholds"]["steps"][1] == {"color": "green", "value": 0.999}


def test_the_error_ratio_stat_is_red_above_the_error_budget() -> None:
    for objective, budget in ((0.99, 0.01), (0.999, 0.001), (0.9, 0.1)):
        stat = render_panel(overview.service_error_ratio(flavor=CONSUL, objective=objective), 1)
        steps = stat["fieldConfig"]["defaults"]["thresholds"]["steps"]
        assert steps == [{"color": "green", "value": None}, {"color": "red", "value": budget}]


@pytest.mark.parametrize("bad", [99, 0, 1.5, "0.99", True])
def test_an_objective_that_is_not_a_ratio_is_one_clear_error(bad: Any) -> None:
    with pytest.raises(
        DefinitionError, match=r"objective must be a ratio above 0 and at most 1 \(0\.99 for 99%\)"
    ):
        http.downstream_success_ratio(objective=bad)
    with pytest.raises(DefinitionError, match="objective must be a ratio"):
        overview.service_error_ratio(objective=bad)
