"""Where Grafana is and how to talk to it: URL, credentials, TLS, timeouts, retries.

Errors name the setting they are about (``setting="url"``, ``"token_file"``, ``"ca_cert"``,
``"tls"``), not a flag: the command that took the setting from a flag adds it.

Secrets are held in :class:`Secret`, whose ``repr`` and ``str`` are masked, so a
settings object can be logged or end up in a traceback without leaking the token.
A URL with ``user:password@`` in it is split: the credentials become basic auth and
the URL kept here has none, so no requests exception can ever quote them.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from generator.errors import ConfigError
from generator.http import RetryPolicy, Secret, read_token_file, scrub_url, url_credentials


@dataclass(frozen=True)
class Credentials:
    """A service-account token (Bearer) or a user and password (basic auth)."""

    token: Secret | None = None
    user: str | None = None
    password: Secret | None = None

    @property
    def kind(self) -> str:
        return "token" if self.token is not None else "basic"


# POST and PUT are retried on purpose. Every write meshdash sends is guarded, never a
# blind overwrite: a dashboard save carries the version it was planned against (a create
# carries none) with overwrite=false, a folder is created under a fixed uid, and a PUT (the
# resource API's update) carries the resourceVersion it was planned against. If a write
# was applied but its answer was lost (a reset, a timeout), the replay cannot clobber
# anything: Grafana answers 412 (version-mismatch / name-exists) or 409, and the publisher
# reads the dashboard back and accepts it when it holds exactly what was sent (its content
# hash). DELETE is idempotent: a replay after success gets a 404, which counts as done.
#: How Grafana requests are retried (``--retries`` and ``--backoff`` change the first two).
GRAFANA_RETRY = RetryPolicy(
    retries=4,
    backoff_factor=0.5,
    backoff_max=10.0,
    backoff_jitter=0.25,
    status_forcelist=frozenset({429, 500, 502, 503, 504}),
    methods=frozenset({"GET", "HEAD", "POST", "PUT", "DELETE"}),
    timeouts=True,
    retry_after_max=30.0,
)


@dataclass(frozen=True)
class GrafanaSettings:
    """Everything the client needs; safe to print (secrets are masked)."""

    url: str
    credentials: Credentials
    org_id: int | None = None
    ca_cert: Path | None = None
    insecure: bool = False
    connect_timeout: float = 5.0
    read_timeout: float = 30.0
    retry: RetryPolicy = GRAFANA_RETRY

    @property
    def timeout(self) -> tuple[float, float]:
        return (self.connect_timeout, self.read_timeout)


def split_url_credentials(url: str) -> tuple[str, str | None, Secret | None]:
    """Return the URL without ``user:password@`` and the user and password it held."""
    parts = urlsplit(url.strip())
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ConfigError(
            f"Grafana URL {scrub_url(url)!r} is not an http(s) URL; set GRAFANA_URL to e.g. "
            "https://grafana.example.com",
            setting="url",
        )
    return url_credentials(url)


def load_credentials(env: Mapping[str, str], token_file: Path | None) -> Credentials | None:
    """Token from ``token_file`` or GRAFANA_TOKEN, else GRAFANA_USER/GRAFANA_PASSWORD."""
    if token_file is not None:
        return Credentials(token=read_token_file(token_file))
    if env.get("GRAFANA_TOKEN", "").strip():
        return Credentials(token=Secret(env["GRAFANA_TOKEN"].strip()))
    user, password = env.get("GRAFANA_USER", ""), env.get("GRAFANA_PASSWORD", "")
    if user and password:
        return Credentials(user=user, password=Secret(password))
    if user or password:
        raise ConfigError("set both GRAFANA_USER and GRAFANA_PASSWORD, or use GRAFANA_TOKEN")
    return None


def settings_from(
    env: Mapping[str, str] | None = None,
    *,
    url: str | None = None,
    token_file: Path | None = None,
    org_id: int | None = None,
    ca_cert: Path | None = None,
    insecure: bool = False,
    timeout: float | None = None,
    retry: RetryPolicy | None = None,
) -> GrafanaSettings:
    """Build settings from flags (which win) and the environment."""
    env = os.environ if env is None else env
    raw_url = url or env.get("GRAFANA_URL", "")
    if not raw_url:
        raise ConfigError("no Grafana URL: set GRAFANA_URL", setting="url")
    clean_url, url_user, url_password = split_url_credentials(raw_url)
    credentials = load_credentials(env, token_file)
    if credentials is None and url_user and url_password:
        credentials = Credentials(user=url_user, password=url_password)
    if credentials is None:
        raise ConfigError(
            "no Grafana credentials: set GRAFANA_TOKEN (a service-account token), give a "
            "token file, or set GRAFANA_USER and GRAFANA_PASSWORD",
            setting="token_file",
        )
    if ca_cert is not None and not ca_cert.is_file():
        raise ConfigError(
            f"the CA certificate {ca_cert} does not exist; check its path", setting="ca_cert"
        )
    if ca_cert is not None and insecure:
        raise ConfigError(
            "a CA bundle and skipping TLS verification contradict each other; give one",
            setting="tls",
        )
    read_timeout = 30.0 if timeout is None else timeout
    return GrafanaSettings(
        url=clean_url,
        credentials=credentials,
        org_id=org_id,
        ca_cert=ca_cert,
        insecure=insecure,
        connect_timeout=min(5.0, read_timeout),
        read_timeout=read_timeout,
        retry=retry or GRAFANA_RETRY,
    )
