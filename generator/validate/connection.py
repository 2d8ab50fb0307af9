"""Credentials and headers for Prometheus, from the environment and files, never the command line."""

from __future__ import annotations

import os
from collections.abc import Mapping, Sequence
from pathlib import Path

from generator.errors import ConfigError
from generator.http import Secret, read_token_file, scrub_url, url_credentials
from generator.validate.client import Connection

TOKEN_ENV = "PROMETHEUS_TOKEN"
USER_ENV = "PROMETHEUS_USER"
PASSWORD_ENV = "PROMETHEUS_PASSWORD"


def parse_header(text: str) -> tuple[str, str]:
    """``'X-Scope-OrgID: tenant'`` -> ``("X-Scope-OrgID", "tenant")``."""
    name, sep, value = text.partition(":")
    name = name.strip()
    if not sep or not name or any(c.isspace() for c in name):
        raise ConfigError(f"header {name or '?'!r} must look like 'Name: value'", setting="headers")
    return name, value.strip()


def connection_from(
    url: str,
    *,
    token_file: Path | None = None,
    headers: Sequence[str] = (),
    timeout: float = 30.0,
    parallel: int = 8,
    environ: Mapping[str, str] | None = None,
) -> Connection:
    """A :class:`Connection`: token from ``--token-file`` or ``PROMETHEUS_TOKEN``,
    basic auth from ``PROMETHEUS_USER``/``PROMETHEUS_PASSWORD`` or the URL's ``user:password@``."""
    env = os.environ if environ is None else environ
    if not url.startswith(("http://", "https://")):
        raise ConfigError(
            f"Prometheus URL {scrub_url(url)!r} must start with http:// or https://",
            setting="prometheus_url",
        )
    url, url_user, url_password = url_credentials(url)
    token = read_token_file(token_file) if token_file else _secret(env.get(TOKEN_ENV))
    user = env.get(USER_ENV) or None
    if token and user:
        raise ConfigError(
            f"both a bearer token and {USER_ENV} are set; use one way to authenticate"
        )
    password = _secret(env.get(PASSWORD_ENV)) if user else None
    if token is None and user is None:
        user, password = url_user, url_password  # http://user:password@host, as a Secret
    return Connection(
        url=url,
        token=token,
        user=user,
        password=password,
        headers=tuple(parse_header(h) for h in headers),
        timeout=timeout,
        parallel=parallel,
    )


def _secret(value: str | None) -> Secret | None:
    return Secret(value) if value else None
