"""Secrets in one place: held, sent and read so that they never show themselves.

Tokens and passwords live in :class:`Secret` (masked in repr, str and f-strings),
are put on the wire only by :class:`BearerAuth` (or requests' basic auth), and
URLs are printed only after :func:`strip_userinfo`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.auth import AuthBase

from generator.errors import ConfigError


class Secret:
    """A credential value that never shows itself in repr(), str() or f-strings."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('********')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(self._value)


class BearerAuth(AuthBase):
    """``Authorization: Bearer <token>``; its repr never shows the token."""

    def __init__(self, token: Secret) -> None:
        self._token = token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        request.headers["Authorization"] = f"Bearer {self._token.reveal()}"
        return request

    def __repr__(self) -> str:
        return "BearerAuth(********)"


def read_token_file(path: Path) -> Secret:
    """The token in ``path`` (surrounding whitespace dropped); a clear error otherwise."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(f"--token-file {path}: cannot read it ({exc.strerror})") from None
    if not token:
        raise ConfigError(f"--token-file {path} is empty; put the token in it")
    return Secret(token)


def strip_userinfo(url: str) -> str:
    """``url`` without any ``user:password@``, safe to print."""
    parts = urlsplit(url)
    if "@" not in parts.netloc:
        return url
    return urlunsplit(parts._replace(netloc=parts.netloc.rsplit("@", 1)[1]))
