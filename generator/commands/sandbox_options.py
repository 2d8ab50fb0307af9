"""The option every command that starts the simulated mesh shares: `--incidents`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

import click

from generator.errors import ConfigError
from generator.sim.config import MeshConfig
from generator.sim.incidents import Incidents

F = TypeVar("F", bound=Callable[..., Any])


def incidents_option(command: F) -> F:
    """Add `--incidents`: the simulator plays the demo story's faults too."""
    return click.option(
        "--incidents",
        is_flag=True,
        help="Simulate the story's faults too (denied calls, failing TLS handshakes and "
        "upstreams, an expiring certificate, release events), so the Security, Release "
        "and Resilience dashboards show them.",
    )(command)


def sandbox_mesh(sandbox: bool, incidents: bool) -> MeshConfig | None:
    """The simulated mesh's settings when a sandbox runs, else None.

    `--incidents` without a sandbox is an error: it would silently change nothing.
    """
    if not sandbox:
        if incidents:
            raise ConfigError("--incidents needs --sandbox: it changes the simulated mesh only")
        return None
    return MeshConfig(incidents=Incidents() if incidents else None)
