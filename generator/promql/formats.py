"""Value formatting: Grafana's Prometheus escaping and its named variable formats.

Sources mirrored here (Grafana, Apache-2.0 / AGPL; behaviour, not code):
- ``packages/grafana-prometheus/src/escaping.ts``: ``interpolateQueryExpr``,
  ``prometheusRegularEscape``, ``prometheusSpecialRegexEscape``; the "classic"
  branch is the default, the other is the ``prometheusSpecialCharsInLabelValues``
  feature toggle.
- ``public/app/features/templating/formatRegistry.ts`` and the docs page
  "Advanced variable format options" for ``${var:<format>}``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Sequence
from urllib.parse import quote

from generator.errors import InterpolationError

_PROM_META_CLASSIC = re.compile(r"[$^*{}\[\]+?.()|]")
_PROM_META_SPECIAL = re.compile(r"[$^*{}\[\]'+?.()|]")
# kbn.regexEscape, used by ${var:regex}
_JS_REGEX_META = re.compile(r"[\\^$*+?.()|\[\]{}/]")
Value = str | Sequence[str]
"""A variable's current value as Grafana holds it: a string, or a list when multi or All."""


_COMPLETE_MATCHER = re.compile(r"^\w+(=|!=|=~|!~)\".*\"$", re.ASCII | re.DOTALL)


def prometheus_regular_escape(value: str, *, special_chars: bool = False) -> str:
    """Escape a single value of a variable that is neither multi nor include-All."""
    if special_chars:
        if _COMPLETE_MATCHER.match(value):
            return value
        return value.replace("\\", "\\\\").replace('"', '\\"')
    return value.replace("\\", "\\\\").replace("'", "\\\\'")


def prometheus_special_regex_escape(value: str, *, special_chars: bool = False) -> str:
    """Escape one value of a multi or include-All variable for a ``=~`` matcher."""
    value = value.replace("\\", "\\\\\\\\")
    if special_chars:
        value = value.replace('"', '\\\\\\"')
        return _PROM_META_SPECIAL.sub(lambda m: "\\\\" + m.group(0), value)
    return _PROM_META_CLASSIC.sub(lambda m: "\\\\" + m.group(0), value)


def prometheus_query_expr(
    value: Value, *, multi: bool, include_all: bool, special_chars: bool = False
) -> str:
    """Grafana's ``interpolateQueryExpr``: the default format inside a PromQL expr."""
    if not multi and not include_all:
        if isinstance(value, str):
            return prometheus_regular_escape(value, special_chars=special_chars)
        return ",".join(value)  # JS String(array): Grafana does not escape this case
    if isinstance(value, str):
        return prometheus_special_regex_escape(value, special_chars=special_chars)
    escaped = [prometheus_special_regex_escape(v, special_chars=special_chars) for v in value]
    if len(escaped) == 1:
        return escaped[0]
    return "(" + "|".join(escaped) + ")"


def _as_list(value: Value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def _regex(value: Value) -> str:
    escaped = [_JS_REGEX_META.sub(lambda m: "\\" + m.group(0), v) for v in _as_list(value)]
    return escaped[0] if len(escaped) == 1 else "(" + "|".join(escaped) + ")"


def _glob(value: Value) -> str:
    values = _as_list(value)
    return values[0] if len(values) == 1 else "{" + ",".join(values) + "}"


def _joined(separator: str) -> Callable[[Value], str]:
    def fmt(value: Value) -> str:
        return separator.join(_as_list(value))

    return fmt


def _quoted(quote_char: str) -> Callable[[Value], str]:
    def fmt(value: Value) -> str:
        return ",".join(
            quote_char + v.replace(quote_char, "\\" + quote_char) + quote_char
            for v in _as_list(value)
        )

    return fmt


def _sqlstring(value: Value) -> str:
    return ",".join("'" + v.replace("'", "''") + "'" for v in _as_list(value))


def _json(value: Value) -> str:
    return json.dumps(value if isinstance(value, str) else list(value), separators=(",", ":"))


def _percentencode(value: Value) -> str:
    # encodeURIComponentStrict: like encodeURIComponent, but also !'()*
    text = value if isinstance(value, str) else "{" + ",".join(value) + "}"
    return quote(text, safe="-_.~")


# Formats computed from the value alone; "text" and "queryparam" need the
# variable's name or texts and are handled by the interpolator.
VALUE_FORMATS: dict[str, Callable[[Value], str]] = {
    "csv": _joined(","),
    "pipe": _joined("|"),
    "raw": _joined(","),
    "regex": _regex,
    "glob": _glob,
    "json": _json,
    "doublequote": _quoted('"'),
    "singlequote": _quoted("'"),
    "sqlstring": _sqlstring,
    "percentencode": _percentencode,
}


def format_value(fmt: str, value: Value) -> str:
    """Apply a named format (``${var:fmt}``) to a variable's value."""
    try:
        formatter = VALUE_FORMATS[fmt]
    except KeyError:
        known = ", ".join(sorted({*VALUE_FORMATS, "text", "queryparam"}))
        raise InterpolationError(f"unknown variable format {fmt!r}; use one of: {known}") from None
    return formatter(value)
