"""One HTTP foundation for the Grafana and Prometheus clients.

- :class:`Secret` holds a token or password (masked in repr, str and f-strings);
  only :class:`BearerAuth` or :func:`basic_auth` put one on the wire.
- :func:`scrub_url` is the one way a URL is made safe to print: no ``user:password@``,
  no query or fragment, no trailing slash.
- :func:`new_session` builds the pinned ``requests.Session``: a pool sized to the
  parallelism, no retries of its own, TLS verification, and the environment's
  proxies, CA bundle and ``.netrc`` read once for the one URL the client talks to.
- :data:`Send` is the transport seam: a client sends every prepared request through
  one function, ``send(request, timeout)``. :func:`session_send` is the real one; a
  test passes its own and exercises the client's logic without a socket.
- :func:`retrying` wraps a ``Send`` in a bounded :class:`RetryPolicy`, above the
  seam, so the retries a client makes are the ones its tests see.
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from pathlib import Path
from urllib.parse import unquote, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from requests.auth import AuthBase, HTTPBasicAuth
from requests.utils import get_netrc_auth

from generator.errors import ConfigError

log = logging.getLogger(__name__)

#: (connect, read) seconds; every request carries one
Timeout = tuple[float, float]
#: the transport seam: one prepared request in, one response out (or a requests exception)
Send = Callable[[requests.PreparedRequest, Timeout], requests.Response]


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


def basic_auth(user: str, password: Secret | None) -> HTTPBasicAuth:
    return HTTPBasicAuth(user, password.reveal() if password else "")


def read_token_file(path: Path) -> Secret:
    """The token in ``path`` (surrounding whitespace dropped); a clear error otherwise."""
    try:
        token = path.read_text(encoding="utf-8").strip()
    except OSError as exc:
        raise ConfigError(
            f"the token file {path} cannot be read ({exc.strerror})", setting="token_file"
        ) from None
    if not token:
        raise ConfigError(
            f"the token file {path} is empty; put the token in it", setting="token_file"
        )
    return Secret(token)


def scrub_url(url: str) -> str:
    """``url`` without ``user:password@``, query, fragment or trailing slash: safe to print."""
    parts = urlsplit(url.strip())
    netloc = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, netloc, parts.path.rstrip("/"), "", ""))


def url_credentials(url: str) -> tuple[str, str | None, Secret | None]:
    """``url`` made safe to print (:func:`scrub_url`), and the user and password it held."""
    parts = urlsplit(url.strip())
    user = unquote(parts.username) if parts.username else None
    password = Secret(unquote(parts.password)) if parts.password else None
    return scrub_url(url), user, password


def new_session(
    url: str,
    *,
    auth: AuthBase | None,
    verify: bool | str = True,
    pool_size: int = 10,
    headers: Mapping[str, str] | None = None,
) -> requests.Session:
    """The pinned session every request to ``url``'s host goes through.

    Its adapter never retries: :func:`retrying` does, above the transport seam.
    """
    session = requests.Session()
    size = max(1, pool_size)
    adapter = HTTPAdapter(max_retries=0, pool_connections=size, pool_maxsize=size)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.auth = auth if auth is not None else get_netrc_auth(url)
    session.verify = verify
    session.headers.update({"Accept": "application/json", "User-Agent": "meshdash"})
    session.headers.update(headers or {})
    _pin_environment(session, url)
    return session


def _pin_environment(session: requests.Session, url: str) -> None:
    """Read the proxy and CA-bundle variables once, for ``url``, then stop trusting env.

    requests otherwise scans all of ``os.environ`` twice on every request (proxies,
    ``no_proxy``), a third of a no-change push's client time. Every request goes to the
    one host of ``url``, so the answer cannot differ between requests. An explicit CA
    bundle or ``verify=False`` wins over ``REQUESTS_CA_BUNDLE``/``CURL_CA_BUNDLE``.
    """
    found = session.merge_environment_settings(url, {}, None, None, None)
    session.proxies.update(found["proxies"])
    if session.verify is True:
        session.verify = found["verify"]
    session.trust_env = False  # .netrc was read above, when the session had no auth


def session_send(session: requests.Session) -> Send:
    """The real transport: ``session.send`` with the session's pinned settings."""

    def send(request: requests.PreparedRequest, timeout: Timeout) -> requests.Response:
        return session.send(request, timeout=timeout)

    return send


#: the answers whose ``Retry-After`` says when to try again (RFC 9110 and RFC 6585)
RETRY_AFTER_STATUSES = frozenset({429, 503})


@dataclass(frozen=True)
class RetryPolicy:
    """When a request is sent again: no answer at all, or a status in ``status_forcelist``.

    Only methods in ``methods`` are repeated, so a client lists the ones that are
    safe to repeat for it. The default ``status_forcelist`` holds no 4xx: such a request
    is itself wrong and would be refused again (a client may add 429, Too Many Requests).
    A timed-out answer is tried again only with ``timeouts``: the server may have applied
    the request and only be slow to say so. Retry ``n`` waits
    ``min(backoff_max, backoff_factor * 2 ** (n - 1))`` seconds plus up to
    ``backoff_jitter`` at random, or what the answer's ``Retry-After`` asks when that is
    longer (on a 429 or 503, where HTTP gives it that meaning), up to ``retry_after_max``
    seconds (0: the header is not read).
    """

    retries: int = 2
    backoff_factor: float = 0.2
    backoff_max: float = 2.0
    backoff_jitter: float = 0.0
    status_forcelist: frozenset[int] = frozenset({502, 503, 504})
    methods: frozenset[str] = frozenset({"GET", "HEAD"})
    timeouts: bool = False
    retry_after_max: float = 0.0

    def delay(self, retry: int) -> float:
        backoff = min(self.backoff_max, self.backoff_factor * 2 ** (retry - 1))
        return backoff + (random.uniform(0, self.backoff_jitter) if self.backoff_jitter else 0.0)

    def wait(self, retry: int, response: requests.Response | None) -> float:
        """Seconds before retry ``retry``, after ``response`` (None: no answer came)."""
        asked = 0.0
        if response is not None and response.status_code in RETRY_AFTER_STATUSES:
            asked = retry_after(response, self.retry_after_max)
        return max(self.delay(retry), asked)


def retry_after(response: requests.Response, cap: float) -> float:
    """The seconds ``response``'s ``Retry-After`` asks for (seconds or an HTTP date), at most ``cap``."""
    value = response.headers.get("Retry-After", "").strip()
    if cap <= 0 or not value:
        return 0.0
    try:
        seconds = float(value)
    except ValueError:
        try:
            when = parsedate_to_datetime(value)
        except (TypeError, ValueError):
            return 0.0
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = (when - datetime.now(UTC)).total_seconds()
    return min(cap, max(0.0, seconds)) if math.isfinite(seconds) else 0.0


def retrying(
    send: Send, policy: RetryPolicy, *, sleep: Callable[[float], None] = time.sleep
) -> Send:
    """``send``, trying a request again as ``policy`` allows; the last answer or error stands.

    A TLS failure is not retried: the certificate will not change in a second. Each retry
    is logged (method, path, what came back), never a header or the query.
    """

    def send_with_retries(request: requests.PreparedRequest, timeout: Timeout) -> requests.Response:
        allowed = policy.retries if request.method in policy.methods else 0
        for retry in range(1, allowed + 1):
            response = _attempt(send, request, timeout, policy)
            if response is not None and response.status_code not in policy.status_forcelist:
                return response
            wait = policy.wait(retry, response)
            what = "no answer" if response is None else str(response.status_code)
            path = urlsplit(request.url or "").path
            log.debug(
                "%s %s: %s; retry %d of %d in %.2fs",
                request.method,
                path,
                what,
                retry,
                allowed,
                wait,
            )
            sleep(wait)
        return send(request, timeout)

    return send_with_retries


def _attempt(
    send: Send, request: requests.PreparedRequest, timeout: Timeout, policy: RetryPolicy
) -> requests.Response | None:
    """One try: its answer, or None when none came and another try may get one."""
    try:
        return send(request, timeout)
    except requests.exceptions.SSLError:
        raise
    except requests.exceptions.ConnectionError:  # refused, reset, or a connect timeout
        return None
    except requests.exceptions.Timeout:
        if policy.timeouts:
            return None
        raise
