"""What lint rules look at: one dashboard, its targets interpolated and parsed once."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property
from pathlib import Path
from typing import Any

import promql_parser as pp

from generator.errors import InterpolationError
from generator.metrics_catalogue import METRIC_TYPES
from generator.promql.dashboard import Json, TargetRef, iter_targets, sample_variable_values
from generator.promql.interpolate import TimeRange, VariableValue, interpolate
from generator.promql.lint.problems import Location

# Distinctive durations that stand in for macros, so the parsed AST shows which
# range a query wrote (after interpolation every range is just a number).
RATE_INTERVAL_SENTINEL = timedelta(seconds=7777)
RANGE_SENTINEL = timedelta(seconds=8888)
_SENTINELS = {"__rate_interval": "7777s", "__range": "8888s"}


@dataclass(frozen=True)
class LintOptions:
    """Settings shared by every rule."""

    scrape_interval: str = "15s"
    time_range: TimeRange | None = None  # default: the dashboard's own "now-<duration>"
    metric_types: Mapping[str, str] | None = None
    #: The dashboard was not built by meshdash (``--from``): rules about its conventions relax.
    foreign: bool = False


@dataclass(frozen=True)
class CheckedTarget:
    """A target with its location and its expression parsed (sentinel macros)."""

    ref: TargetRef
    location: Location
    ast: pp.Expr | None
    error: str | None


class DashboardContext:
    """One dashboard under lint."""

    def __init__(self, dashboard: Json, *, source: Path | None, options: LintOptions) -> None:
        self.dashboard = dashboard
        self.source = source
        self.options = options

    def location(self, **where: Any) -> Location:
        return Location(
            dashboard_uid=str(self.dashboard.get("uid", "")),
            dashboard_title=str(self.dashboard.get("title", "")),
            source=self.source,
            **where,
        )

    def target_location(self, ref: TargetRef) -> Location:
        return self.location(panel_title=ref.panel_title, panel_id=ref.panel_id, ref_id=ref.ref_id)

    @cached_property
    def time_range(self) -> TimeRange:
        if self.options.time_range is not None:
            return self.options.time_range
        start = str((self.dashboard.get("time") or {}).get("from") or "")
        try:
            return TimeRange.last(start.removeprefix("now-") if start.startswith("now-") else "6h")
        except InterpolationError:
            return TimeRange.last("6h")

    @cached_property
    def sample_values(self) -> dict[str, VariableValue]:
        return sample_variable_values(self.dashboard)

    def interpolate(
        self, expr: str, values: Mapping[str, VariableValue], *, sentinels: bool = False
    ) -> str:
        return interpolate(
            expr,
            values,
            time_range=self.time_range,
            scrape_interval=self.options.scrape_interval,
            builtin_overrides=_SENTINELS if sentinels else None,
        )

    @cached_property
    def targets(self) -> list[CheckedTarget]:
        return [self._check_target(ref) for ref in iter_targets(self.dashboard)]

    def _check_target(self, ref: TargetRef) -> CheckedTarget:
        location = self.target_location(ref)
        try:
            text = self.interpolate(ref.expr, self.sample_values, sentinels=True)
            return CheckedTarget(ref, location, pp.parse(text), None)
        except (InterpolationError, ValueError) as exc:
            return CheckedTarget(ref, location, None, str(exc))

    @cached_property
    def metric_types(self) -> Mapping[str, str]:
        if self.options.metric_types is not None:
            return self.options.metric_types
        return METRIC_TYPES
