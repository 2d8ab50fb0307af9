"""Where in a query promql-parser's complaint points.

promql-parser reports errors without positions. Its messages name the kind of
problem (an unclosed parenthesis, a character inside brackets, a token), so a
small scan of the text, one that skips string literals, finds the place again.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

Span = tuple[int, int]

_OPENERS = {"(": ")", "[": "]", "{": "}"}
_CLOSERS = {v: k for k, v in _OPENERS.items()}
_NAMES = {"parenthesis": "(", "bracket": "[", "brackets": "[", "brace": "{", "braces": "{"}
_QUOTED = re.compile(r"'([^']+)'")


def locate(text: str, message: str) -> Span | None:
    """The span of ``text`` that ``message`` (a promql-parser error) is about, if known."""
    kind = next((_NAMES[w] for w in re.findall(r"[a-z]+", message) if w in _NAMES), None)
    if "unclosed left" in message or "end of input inside" in message:
        return _unclosed(text, kind)
    if "unexpected right" in message and kind:
        return _unmatched_closer(text, _OPENERS[kind])
    quoted = _QUOTED.search(message)
    if "inside" in message and kind and quoted:
        return _inside(text, kind, quoted.group(1))
    if quoted:
        return _first_in_code(text, quoted.group(1))
    match = re.search(r"syntax: (\S+)$", message)
    return _first_in_code(text, match.group(1)) if match else None


def _code(text: str) -> Iterator[tuple[int, str]]:
    """Each (index, char) of ``text`` outside string literals."""
    quote: str | None = None
    escaped = False
    for index, char in enumerate(text):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\" and quote != "`":
                escaped = True
            elif char == quote:
                quote = None
        elif char in "\"'`":
            quote = char
        else:
            yield index, char


def _unclosed(text: str, kind: str | None) -> Span | None:
    stack: list[tuple[int, str]] = []
    for index, char in _code(text):
        if char in _OPENERS:
            stack.append((index, char))
        elif char in _CLOSERS and stack and stack[-1][1] == _CLOSERS[char]:
            stack.pop()
    for index, char in reversed(stack):
        if kind is None or char == kind:
            return index, index + 1
    return None


def _unmatched_closer(text: str, closer: str) -> Span | None:
    depth = 0
    for index, char in _code(text):
        if char == _CLOSERS[closer]:
            depth += 1
        elif char == closer:
            if depth == 0:
                return index, index + 1
            depth -= 1
    return None


def _inside(text: str, opener: str, token: str) -> Span | None:
    """The first ``token`` that stands inside a pair opened by ``opener``."""
    inside = False
    for index, char in _code(text):
        if char == opener:
            inside = True
        elif char == _OPENERS[opener]:
            inside = False
        elif inside and text.startswith(token, index):
            return index, index + len(token)
    return None


def _first_in_code(text: str, token: str) -> Span | None:
    for index, _ in _code(text):
        if text.startswith(token, index):
            return index, index + len(token)
    return None
