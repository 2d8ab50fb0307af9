"""A panel's Prometheus queries (grafanalib `Target`s) -> the schema's Dataquery."""

from __future__ import annotations

from typing import Any

from grafanalib.core import Target

from generator.variables import DATASOURCE_REF


def target_json(target: Target) -> dict[str, Any]:
    """A code-mode query of `${datasource}`: an instant table or a range time series."""
    data: dict[str, Any] = {"datasource": dict(DATASOURCE_REF), "editorMode": "code"}
    for key in ("expr", "legendFormat", "refId"):
        if (value := getattr(target, key)) is not None:
            data[key] = value
    if target.instant:
        data.update(instant=True, range=False, format="table")
    else:
        data.update(range=True, format="time_series")
    return data
