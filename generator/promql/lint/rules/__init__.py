"""The lint rules, listed explicitly: add a rule by adding it to ``ALL_RULES``.

One rule per module, named after its code and name (``md102_promql_rate_interval.py``
holds MD102 ``promql/rate-interval``), as pint and sqlfluff do; ``_panels`` and
``_variables`` hold what several rules share.
"""

from __future__ import annotations

from generator.promql.lint.rules.base import Rule
from generator.promql.lint.rules.md101_promql_syntax import PromQLSyntax
from generator.promql.lint.rules.md102_promql_rate_interval import RateInterval
from generator.promql.lint.rules.md103_promql_counter import RateOverCounter
from generator.promql.lint.rules.md104_promql_histogram_le import HistogramLe
from generator.promql.lint.rules.md105_promql_legend_labels import LegendLabels
from generator.promql.lint.rules.md106_promql_multi_value_equality import MultiValueEquality
from generator.promql.lint.rules.md201_variables_undefined import UndefinedVariable
from generator.promql.lint.rules.md202_variables_unused import UnusedVariable
from generator.promql.lint.rules.md203_variables_regex import VariableRegex
from generator.promql.lint.rules.md204_variables_datasource import DatasourceVariable
from generator.promql.lint.rules.md205_variables_bucket_series import BucketSeriesVariable
from generator.promql.lint.rules.md301_panel_title import PanelTitle
from generator.promql.lint.rules.md302_panel_description import PanelDescription
from generator.promql.lint.rules.md303_panel_unit import PanelUnit
from generator.promql.lint.rules.md304_panel_datasource import PanelDatasource

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
