"""Deterministic JSON text: sorted keys, indent 2, trailing newline.

The same bytes as `json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)`
plus a newline, about twice as fast: CPython's C encoder cannot indent, and its
pure-Python fallback spends most of its time in nested generators.
"""

from __future__ import annotations

import json
import math
from json.encoder import encode_basestring  # type: ignore[attr-defined]
from typing import Any


def to_json_text(data: dict[str, Any]) -> str:
    """Deterministic text: sorted keys, indent 2, trailing newline.

    The same bytes as `json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False)`
    plus a newline, about twice as fast: CPython's C encoder cannot indent, and
    its pure-Python fallback spends most of its time in nested generators. Values
    outside plain JSON types (non-string keys, NaN, other objects) take json's path.
    """
    out: list[str] = []
    try:
        _emit(data, "\n", out)
    except _NotPlain:
        return json.dumps(data, sort_keys=True, indent=2, ensure_ascii=False) + "\n"
    out.append("\n")
    return "".join(out)


class _NotPlain(Exception):
    """A value that the fast emitter leaves to `json.dumps`."""


def _emit(value: Any, newline: str, out: list[str]) -> None:
    """Append `value` as indented JSON; `newline` is a newline plus the current indent."""
    if isinstance(value, str):
        out.append(encode_basestring(value))
    elif value is None or value is True or value is False:
        out.append(_CONSTANTS[value])
    elif isinstance(value, int):
        out.append(int.__repr__(value))
    elif isinstance(value, float):
        if value != value or value in (math.inf, -math.inf):
            raise _NotPlain
        out.append(float.__repr__(value))
    elif isinstance(value, dict):
        _emit_dict(value, newline, out)
    elif isinstance(value, list | tuple):
        _emit_list(value, newline, out)
    else:
        raise _NotPlain


def _emit_dict(value: dict[Any, Any], newline: str, out: list[str]) -> None:
    if not value:
        out.append("{}")
        return
    inner = newline + "  "
    separator = "{" + inner
    append = out.append
    # The common values inline, and containers straight to their writer: a call per
    # value through _emit was a third of the writer's time.
    for key in sorted(value):
        if type(key) is not str:
            raise _NotPlain
        item = value[key]
        kind = type(item)
        head = separator + (_KEYS.get(key) or _key_text(key))
        if kind is str:
            append(head + encode_basestring(item))
        elif kind is dict and item:
            append(head)
            _emit_dict(item, inner, out)
        elif kind is list and item:
            append(head)
            _emit_list(item, inner, out)
        elif kind is int:
            append(head + int.__repr__(item))
        elif kind is bool or item is None:
            append(head + _CONSTANTS[item])
        else:
            append(head)
            _emit(item, inner, out)
        separator = "," + inner
    append(newline + "}")


def _emit_list(value: list[Any] | tuple[Any, ...], newline: str, out: list[str]) -> None:
    if not value:
        out.append("[]")
        return
    inner = newline + "  "
    separator = "[" + inner
    append = out.append
    for item in value:
        kind = type(item)
        if kind is str:
            append(separator + encode_basestring(item))
        elif kind is dict and item:
            append(separator)
            _emit_dict(item, inner, out)
        else:
            append(separator)
            _emit(item, inner, out)
        separator = "," + inner
    append(newline + "]")


#: `"key": ` for the keys seen so far; Grafana's JSON uses a few hundred names over and over
_KEYS: dict[str, str] = {}
#: keys kept at most: a definition's own maps (labels, values) may add names without end
_KEYS_LIMIT = 4096


def _key_text(key: str) -> str:
    text = encode_basestring(key) + ": "
    if len(_KEYS) < _KEYS_LIMIT:
        _KEYS[key] = text
    return text


_CONSTANTS = {None: "null", True: "true", False: "false"}
