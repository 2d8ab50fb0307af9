"""What ``meshdash validate`` checks, as codes in lint's scheme (MD4xx): one finding type for both."""

from __future__ import annotations

from generator.promql.lint.problems import Check, Severity

NO_SERIES = Check(
    "MD401",
    "validate/no-series",
    Severity.BUG,
    "a target returns series for at least one variable choice tried; the message names the "
    "matcher that removed the data",
)
LEGEND_LABEL = Check(
    "MD402",
    "validate/legend-label",
    Severity.BUG,
    "every series a target returns carries each `{{label}}` its legend uses",
)
NO_VALUES = Check(
    "MD403",
    "validate/variable-values",
    Severity.BUG,
    "every variable has values (a panel whose variable has none is not run, and fails)",
)
QUERY_ERROR = Check(
    "MD404",
    "validate/query-error",
    Severity.BUG,
    "every query interpolates and Prometheus accepts it",
)
SOME_EMPTY = Check(
    "MD405",
    "validate/some-empty",
    Severity.WARNING,
    "a target is empty for some variable values while others have data",
)
WIDENED_EMPTY = Check(
    "MD406",
    "validate/all-or-several",
    Severity.BUG,
    "a target has data with All or two values selected where one of those values alone has data",
)
MAY_BE_EMPTY = Check(
    "MD407",
    "validate/may-be-empty",
    Severity.INFORMATION,
    "a target declared `# meshdash: may be empty` returned no series (a note)",
)

ALL_CHECKS: tuple[Check, ...] = (
    NO_SERIES,
    LEGEND_LABEL,
    NO_VALUES,
    QUERY_ERROR,
    SOME_EMPTY,
    WIDENED_EMPTY,
    MAY_BE_EMPTY,
)
