"""Label vocabularies per mesh: a second mesh is a new flavor, not new panels.

Query templates never hard-code a label name; they read it from the flavor
(`{{ flavor.source_label }}`), so the same panel serves Consul Connect's stat
tags and plain Envoy's tag extraction. A mesh whose metrics have other names
(Istio's `istio_requests_total` family) also overrides the templates that
differ: `queries/<flavor>/<area>/<name>.promql.j2` is read before
`queries/<area>/<name>.promql.j2` (see `generator.queries.render_query`).

Builders and variables given no flavor use the *current* one, which the
commands set from `--flavor` (or `[tool.meshdash] flavor`) before loading the
definitions, so a definition that pins no flavor follows the command line.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from generator.errors import FlavorError


@dataclass(frozen=True)
class Flavor:
    """The label names one mesh puts on Envoy's metrics."""

    name: str
    #: the proxy's own service, on every stat of a sidecar
    proxy_label: str
    #: the calling service, on cluster (upstream) stats
    source_label: str
    #: the called service, on cluster (upstream) stats
    destination_label: str
    #: `envoy_http_conn_manager_prefix` of the inbound (public) listener
    inbound_prefix: str
    #: the label holding the HTTP response code, and the one holding its class ("5")
    code_label: str = "envoy_response_code"
    code_class_label: str = "envoy_response_code_class"
    #: the start of every shipped dashboard's uid, and of its title
    uid_prefix: str = "meshdash"
    title_prefix: str = "Service mesh"
    #: Envoy's cluster stats (retries, external origin) are scraped with these labels
    cluster_stats: bool = True
    #: what names a caller in "who calls me" panels (default: `source_label`)
    caller_label: str = ""
    #: `envoy_cluster_name` of the cluster to the proxy's own app, not a service (plain Envoy)
    local_app_cluster: str = ""

    @property
    def caller(self) -> str:
        """The label naming a calling workload or service."""
        return self.caller_label or self.source_label

    def uid(self, name: str) -> str:
        """A shipped dashboard's uid: `meshdash-service` (Consul), `meshdash-istio-service`."""
        return f"{self.uid_prefix}-{name}"

    def title(self, name: str) -> str:
        """A shipped dashboard's title, distinct per flavor (one Grafana folder holds them all)."""
        return f"{self.title_prefix} / {name}"

    @property
    def service_regex(self) -> str:
        """Grafana variable regex that extracts the destination from a series."""
        return f'/{self.destination_label}="([^"]*).*/'


CONSUL = Flavor(
    name="consul",
    proxy_label="local_cluster",
    source_label="consul_source_service",
    destination_label="consul_destination_service",
    inbound_prefix="public_listener",
)


def envoy_flavor(
    *,
    service_label: str = "local_cluster",
    inbound_prefix: str = "ingress_http",
    local_app_cluster: str = "local_app",
) -> Flavor:
    """Plain Envoy (or Envoy Gateway): Envoy's own tag extraction plus one scrape label.

    Envoy tags no stat with the proxy's own service, so `service_label` is a label
    Prometheus adds when it scrapes (a relabel rule copying the pod's `app`, say);
    destinations are Envoy's `envoy_cluster_name`, the inbound listener is the
    connection manager whose stat prefix is `inbound_prefix`, and `local_app_cluster`
    (the cluster to the proxy's own app) is left out of the service lists.
    Settings: `[tool.meshdash.envoy] service_label`, `inbound_prefix`, `local_app_cluster`.
    """
    return Flavor(
        name="envoy",
        proxy_label=service_label,
        source_label=service_label,
        destination_label="envoy_cluster_name",
        inbound_prefix=inbound_prefix,
        uid_prefix="meshdash-envoy",
        title_prefix="Envoy mesh",
        local_app_cluster=local_app_cluster,
    )


ENVOY = envoy_flavor()

# Istio's standard metrics (istio_requests_total, ...), reported by both sides of a
# call; services are canonical services, the labels both reporters put on every
# request. Its templates live in queries/istio/ and pin `reporter`.
ISTIO = Flavor(
    name="istio",
    proxy_label="destination_canonical_service",
    source_label="source_canonical_service",
    destination_label="destination_canonical_service",
    inbound_prefix="",
    code_label="response_code",
    code_class_label="response_code_class",
    uid_prefix="meshdash-istio",
    title_prefix="Istio mesh",
    cluster_stats=False,
    caller_label="source_workload",
)

FLAVORS: dict[str, Flavor] = {flavor.name: flavor for flavor in (CONSUL, ENVOY, ISTIO)}
DEFAULT_FLAVOR = CONSUL
_current: list[Flavor] = [DEFAULT_FLAVOR]


def current_flavor() -> Flavor:
    """The flavor of definitions that pin none: `--flavor`, else `[tool.meshdash] flavor`."""
    return _current[-1]


def set_current_flavor(flavor: Flavor | str) -> Flavor:
    """Make `flavor` the one builders use when given none (a command does this once)."""
    chosen = as_flavor(flavor)
    _current[-1] = chosen
    return chosen


@contextmanager
def using_flavor(flavor: Flavor | str) -> Iterator[Flavor]:
    """`flavor` is current inside the block, the previous one again after it."""
    _current.append(as_flavor(flavor))
    try:
        yield _current[-1]
    finally:
        _current.pop()


def get_flavor(name: str) -> Flavor:
    """Return the flavor called `name`, or say which ones exist.

    The current flavor answers for its own name: under `[tool.meshdash.envoy]` settings,
    `flavor="envoy"` in a definition means the configured plain Envoy, not the defaults.
    """
    if name == current_flavor().name:
        return current_flavor()
    try:
        return FLAVORS[name]
    except KeyError:
        raise FlavorError(f"unknown mesh flavor {name!r}; known flavors: {_known()}") from None


def as_flavor(flavor: Flavor | str | None) -> Flavor:
    """A flavor given as itself or by name (`"consul"`, `"istio"`); `None` is the current one."""
    if flavor is None:
        return current_flavor()
    if isinstance(flavor, Flavor):
        return flavor
    if isinstance(flavor, str):
        return get_flavor(flavor)
    raise FlavorError(
        f"flavor must be a Flavor or one of the names {_known()}, "
        f"got {flavor!r} ({_article(type(flavor).__name__)} {type(flavor).__name__})"
    )


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _known() -> str:
    return ", ".join(sorted(FLAVORS))
