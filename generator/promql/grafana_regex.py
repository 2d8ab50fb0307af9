"""Grafana variable regexes (``/pattern/flags``, JavaScript syntax) as Python regexes."""

from __future__ import annotations

import re

from generator.errors import DefinitionError

_JS_FLAGS = {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL, "g": 0, "u": 0, "y": 0}
_NAMED_GROUP = re.compile(r"\(\?<(?![=!])")


def compile_grafana_regex(text: str) -> re.Pattern[str]:
    """Compile a variable's ``regex`` field as Grafana (JavaScript) reads it.

    Grafana's ``stringToJsRegex`` wants ``/pattern/flags``; a string without the
    slashes is a plain pattern. JavaScript named groups ``(?<name>...)`` become
    Python's ``(?P<name>...)``; look-behind ``(?<=``/``(?<!`` is left as is.
    """
    pattern, flags = text, 0
    if text.startswith("/"):
        end = text.rfind("/")
        if end == 0:
            raise DefinitionError(f"regex {text!r} has no closing '/'; write /pattern/flags")
        pattern = text[1:end]
        for flag in text[end + 1 :]:
            if flag not in _JS_FLAGS:
                raise DefinitionError(f"regex {text!r} has unknown flag {flag!r}; use g, i, m, s")
            flags |= _JS_FLAGS[flag]
    pattern = _NAMED_GROUP.sub("(?P<", pattern)
    try:
        return re.compile(pattern, flags)
    except re.error as exc:
        raise DefinitionError(f"regex {text!r} does not compile: {exc}") from exc
