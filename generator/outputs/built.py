"""The one value of a rendered dashboard, from the build to the outputs to push.

`generator.outputs.build` renders definitions into :class:`BuiltDashboard` values; the build's
outputs, provisioning and ConfigMaps write them; validate, preview and lint read them;
push plans from them. ``push --from DIR`` reads built files back into the same value
(:meth:`BuiltDashboard.from_text`), so a build and its files compare equal.

Light on imports: ``push --from`` uses it without loading the build (or grafanalib).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import Any

from generator.grafana import state
from generator.render.jsontext import to_json_text


@dataclass(frozen=True)
class BuiltDashboard:
    """A rendered dashboard, the folder path it belongs in, and where it came from.

    `source` (the definition file, or the JSON file push read) names it in messages;
    it is not part of the value: a dashboard read back from its file equals the build's.
    """

    uid: str
    title: str
    folder: str | None
    source: Path = field(compare=False)
    data: dict[str, Any]
    # The JSON text, made once: writing, hashing and comparing all need it. Not an
    # argument, so that `dataclasses.replace(item, data=...)` makes it afresh.
    _text: str | None = field(default=None, init=False, repr=False, compare=False)

    def text(self) -> str:
        if self._text is None:
            object.__setattr__(self, "_text", to_json_text(self.data))
        return self._text  # type: ignore[return-value]

    @property
    def filename(self) -> str:
        return f"{self.uid}.json"

    @classmethod
    def from_text(cls, text: str, folder: str | None, source: Path) -> BuiltDashboard:
        """A dashboard read back from a file (`text`); its uid and title come from the JSON."""
        data = json.loads(text)
        built = cls(str(data["uid"]), str(data["title"]), folder, source, data)
        object.__setattr__(built, "_text", text)
        return built

    def placed_in(self, folder: str | None) -> BuiltDashboard:
        """This dashboard in `folder` instead of its own; itself when `folder` is None."""
        return self if folder is None else replace(self, folder=folder)

    @cached_property
    def managed(self) -> dict[str, Any]:
        """The normalized JSON with the managed tag: what push compares, never hashed here."""
        return state.with_managed_tag(self.data)

    @cached_property
    def fingerprint(self) -> str:
        """The content hash of :attr:`stamped`, computed once (only when needed)."""
        return state.fingerprint(self.managed)

    @cached_property
    def stamped(self) -> dict[str, Any]:
        """The JSON push writes (managed and hash tags), computed once."""
        tag = state.HASH_TAG_PREFIX + self.fingerprint[: state.HASH_LENGTH]
        return {**self.managed, "tags": [*self.managed["tags"], tag]}


def is_built_dashboard(path: Path) -> bool:
    """A dashboard JSON file with meshdash's tag: what meshdash built before manifests."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return isinstance(data, dict) and state.is_managed(data)
