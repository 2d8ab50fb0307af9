"""The lint rules, listed explicitly: add a rule by adding it to ``ALL_RULES``."""

from __future__ import annotations

from generator.promql.rules.base import Rule
from generator.promql.rules.counter import RateOverCounter
from generator.promql.rules.histogram import HistogramLe
from generator.promql.rules.legend import LegendLabels
from generator.promql.rules.multi_value import MultiValueEquality
from generator.promql.rules.panels import PanelDatasource, PanelDescription, PanelTitle, PanelUnit
from generator.promql.rules.rate_interval import RateInterval
from generator.promql.rules.syntax import PromQLSyntax
from generator.promql.rules.variable_cost import BucketSeriesVariable
from generator.promql.rules.variable_definitions import DatasourceVariable, VariableRegex
from generator.promql.rules.variables import UndefinedVariable, UnusedVariable

ALL_RULES: tuple[type[Rule], ...] = (
    PromQLSyntax,
    RateInterval,
    RateOverCounter,
    HistogramLe,
    LegendLabels,
    MultiValueEquality,
    UndefinedVariable,
    UnusedVariable,
    VariableRegex,
    DatasourceVariable,
    BucketSeriesVariable,
    PanelTitle,
    PanelDescription,
    PanelUnit,
    PanelDatasource,
)

RULES_BY_CODE: dict[str, type[Rule]] = {rule.code: rule for rule in ALL_RULES}

__all__ = ["ALL_RULES", "RULES_BY_CODE", "Rule"]
