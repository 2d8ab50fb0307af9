"""Label vocabularies per mesh: a second mesh is a new flavor, not new panels.

Query templates never hard-code a label name; they read it from the flavor
(`{{ flavor.source_label }}`), so the same panel serves Consul Connect's stat
tags and plain Envoy's tag extraction.
"""

from __future__ import annotations

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

# Plain Envoy with a Prometheus relabel config that copies the proxy's service
# into `local_cluster`, and Envoy's own cluster tag as the destination.
ENVOY = Flavor(
    name="envoy",
    proxy_label="local_cluster",
    source_label="local_cluster",
    destination_label="envoy_cluster_name",
    inbound_prefix="ingress_http",
)

FLAVORS: dict[str, Flavor] = {flavor.name: flavor for flavor in (CONSUL, ENVOY)}


def get_flavor(name: str) -> Flavor:
    """Return the flavor called `name`, or say which ones exist."""
    try:
        return FLAVORS[name]
    except KeyError:
        raise FlavorError(f"unknown mesh flavor {name!r}; known flavors: {_known()}") from None


def as_flavor(flavor: Flavor | str) -> Flavor:
    """A flavor given as itself or by name (`"consul"`, `"envoy"`), as builders accept it."""
    if isinstance(flavor, Flavor):
        return flavor
    if isinstance(flavor, str):
        return get_flavor(flavor)
    raise FlavorError(
        f"flavor must be a Flavor or one of the names {_known()}, "
        f"got {flavor!r} (a {type(flavor).__name__})"
    )


def _known() -> str:
    return ", ".join(sorted(FLAVORS))
