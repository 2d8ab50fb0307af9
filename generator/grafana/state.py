"""What meshdash remembers about a dashboard it wrote, kept inside the dashboard itself.

Design. Grafana's dashboard JSON schema allows no extra top-level fields, and meshdash
keeps no state file (a CI run starts from a clean checkout, and several pipelines may
publish to one Grafana). So the state lives in the one schema-valid, user-visible,
API-searchable place a dashboard offers: its tags.

* **managed** - the dashboard carries the tag ``meshdash``. The build puts it on every
  dashboard; push adds it if a ``--from`` file lacks it. ``GET /api/search?tag=meshdash``
  lists every managed dashboard, which is what ``--prune`` needs, in one paged query.
* **content hash** - at push time a second tag ``meshdash-hash:<12 hex>`` records the
  SHA-256 of the *normalized* content written: the JSON without the fields Grafana owns
  (``id``, ``version``, ``iteration``) and without the hash tag itself, serialized as
  compact JSON with sorted keys (:func:`compact_text`; C-accelerated, unlike an indented
  dump). Grafana stores and returns the posted JSON as-is, so an untouched dashboard
  always re-hashes to its tag. :func:`fingerprint` is the one hash function; compare
  content by it, and compute it once per dashboard (``BuiltDashboard`` and
  ``RemoteDashboard`` cache it).
* **drifted** - the normalized content in Grafana no longer hashes to its recorded tag:
  someone saved it from the UI (or another tool) since meshdash wrote it. A managed
  dashboard with no hash tag (hand-imported, or written by something else that copied the
  tag) counts as drifted too: nothing proves meshdash wrote what is there.
* **unchanged** - Grafana's normalized content equals the build's (and it is in the
  right folder): push makes no write at all.

Why not compare against Grafana's version history or ``meta.updatedBy``? Versions do not
say *who* changed a dashboard in a way that survives service-account renames, and the
history endpoint costs a request per dashboard and can be pruned by Grafana. The hash tag
costs nothing to read, is self-verifying, and is visible to a human in the UI. It is
also listed by ``GET /api/search``, which is what ``push --no-refresh`` plans from: a
dashboard whose recorded hash equals the build's is taken as unchanged without being
read, so a UI edit to it goes unreported (it is never overwritten either).

The hash is a detector, not a lock: the lock is the ``version`` sent on every update
(optimistic locking), so an edit that lands between plan and write gives a 412 instead of
being overwritten.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

#: the tag on every dashboard meshdash builds: managed by meshdash
MANAGED_TAG = "meshdash"
HASH_TAG_PREFIX = "meshdash-hash:"
HASH_LENGTH = 12
GRAFANA_OWNED_FIELDS = ("id", "version", "iteration")


def normalize(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The content meshdash is responsible for: no Grafana-owned fields, no hash tag.

    A shallow copy: only ``tags`` is replaced, every other value is shared with
    ``dashboard``, so neither the input nor the result may be mutated below the top level.
    """
    clean = {k: v for k, v in dashboard.items() if k not in GRAFANA_OWNED_FIELDS}
    tags = clean.get("tags")
    if isinstance(tags, list):
        clean["tags"] = [t for t in tags if not str(t).startswith(HASH_TAG_PREFIX)]
    return clean


def canonical_text(dashboard: dict[str, Any]) -> str:
    """Readable deterministic JSON of the normalized content, for diffs (not for hashing)."""
    return json.dumps(normalize(dashboard), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def compact_text(dashboard: dict[str, Any]) -> str:
    """Compact sorted-key JSON of the normalized content: exactly what the hash covers."""
    clean = normalize(dashboard)
    return json.dumps(clean, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def fingerprint(dashboard: dict[str, Any]) -> str:
    """SHA-256 (hex) of :func:`compact_text`: the one content hash of meshdash."""
    return hashlib.sha256(compact_text(dashboard).encode("utf-8")).hexdigest()


def is_managed(dashboard: dict[str, Any]) -> bool:
    return MANAGED_TAG in (dashboard.get("tags") or [])


def recorded_hash(dashboard: dict[str, Any]) -> str | None:
    """The hash tag's value; ``dashboard`` may also be a search hit (it has ``tags``)."""
    for tag in dashboard.get("tags") or []:
        if str(tag).startswith(HASH_TAG_PREFIX):
            return str(tag)[len(HASH_TAG_PREFIX) :]
    return None


def is_drifted(dashboard: dict[str, Any], known_fingerprint: str | None = None) -> bool:
    """True when the content in Grafana is not what meshdash last wrote."""
    digest = known_fingerprint or fingerprint(dashboard)
    return recorded_hash(dashboard) != digest[:HASH_LENGTH]


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return fingerprint(a) == fingerprint(b)


def equal_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    """:func:`same_content` by dict comparison, without serialising either side.

    Equal normalized dicts serialise to the same sorted JSON; this is the fast path a
    no-change plan takes for each of a thousand dashboards.
    """
    return normalize(a) == normalize(b)


def with_managed_tag(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The normalized dashboard with the managed tag (first), no hash tag."""
    managed = normalize(dashboard)
    tags = list(managed.get("tags") or [])
    if MANAGED_TAG not in tags:
        tags.insert(0, MANAGED_TAG)
    managed["tags"] = tags
    return managed


def stamp_with_fingerprint(dashboard: dict[str, Any]) -> tuple[dict[str, Any], str]:
    """The dashboard as push writes it (managed tag, hash tag), and its fingerprint."""
    stamped = with_managed_tag(dashboard)
    digest = fingerprint(stamped)
    stamped["tags"] = [*stamped["tags"], HASH_TAG_PREFIX + digest[:HASH_LENGTH]]
    return stamped, digest


def stamp(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard as push writes it: managed tag and a hash tag of its content."""
    return stamp_with_fingerprint(dashboard)[0]
