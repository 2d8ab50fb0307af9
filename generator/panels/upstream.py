"""Deprecated name of :mod:`generator.panels.upstreams`; it warns once, then forwards.

The module was renamed so that ``generator.variables.upstream`` and the panel module can
be imported side by side without an alias. Definitions that still write
``from generator.panels import upstream`` keep building; change them to ``upstreams``.
"""

from __future__ import annotations

import warnings
from typing import Any

from generator.errors import MeshdashDeprecation
from generator.panels import upstreams

warnings.warn(
    "generator.panels.upstream is deprecated: import generator.panels.upstreams instead "
    "(same builders, e.g. upstreams.upstream_request_rate)",
    MeshdashDeprecation,
    stacklevel=2,  # the importing line (importlib's own frames are skipped)
)


def __getattr__(name: str) -> Any:
    return getattr(upstreams, name)


def __dir__() -> list[str]:
    return dir(upstreams)
