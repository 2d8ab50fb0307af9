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
  (``id``, ``version``, ``iteration``) and without the hash tag itself, serialized with
  sorted keys. Grafana stores and returns the posted JSON as-is, so an untouched dashboard
  always re-hashes to its tag.
* **drifted** - the normalized content in Grafana no longer hashes to its recorded tag:
  someone saved it from the UI (or another tool) since meshdash wrote it. A managed
  dashboard with no hash tag (hand-imported, or written by something else that copied the
  tag) counts as drifted too: nothing proves meshdash wrote what is there.
* **unchanged** - Grafana's normalized content equals the build's (and it is in the
  right folder): push makes no write at all.

Why not compare against Grafana's version history or ``meta.updatedBy``? Versions do not
say *who* changed a dashboard in a way that survives service-account renames, and the
history endpoint costs a request per dashboard and can be pruned by Grafana. The hash tag
costs nothing to read, is self-verifying, and is visible to a human in the UI.

The hash is a detector, not a lock: the lock is the ``version`` sent on every update
(optimistic locking), so an edit that lands between plan and write gives a 412 instead of
being overwritten.
"""

from __future__ import annotations

import copy
import hashlib
import json
from typing import Any

MANAGED_TAG = "meshdash"
HASH_TAG_PREFIX = "meshdash-hash:"
HASH_LENGTH = 12
GRAFANA_OWNED_FIELDS = ("id", "version", "iteration")


def normalize(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The content meshdash is responsible for: no Grafana-owned fields, no hash tag."""
    clean = {k: copy.deepcopy(v) for k, v in dashboard.items() if k not in GRAFANA_OWNED_FIELDS}
    tags = clean.get("tags")
    if isinstance(tags, list):
        clean["tags"] = [t for t in tags if not str(t).startswith(HASH_TAG_PREFIX)]
    return clean


def canonical_text(dashboard: dict[str, Any]) -> str:
    """Deterministic JSON of the normalized content (for hashing and diffs)."""
    return json.dumps(normalize(dashboard), sort_keys=True, indent=2, ensure_ascii=False) + "\n"


def content_hash(dashboard: dict[str, Any]) -> str:
    digest = hashlib.sha256(canonical_text(dashboard).encode("utf-8")).hexdigest()
    return digest[:HASH_LENGTH]


def is_managed(dashboard: dict[str, Any]) -> bool:
    return MANAGED_TAG in (dashboard.get("tags") or [])


def recorded_hash(dashboard: dict[str, Any]) -> str | None:
    for tag in dashboard.get("tags") or []:
        if str(tag).startswith(HASH_TAG_PREFIX):
            return str(tag)[len(HASH_TAG_PREFIX) :]
    return None


def is_drifted(dashboard: dict[str, Any]) -> bool:
    """True when the content in Grafana is not what meshdash last wrote."""
    return recorded_hash(dashboard) != content_hash(dashboard)


def same_content(a: dict[str, Any], b: dict[str, Any]) -> bool:
    return canonical_text(a) == canonical_text(b)


def stamp(dashboard: dict[str, Any]) -> dict[str, Any]:
    """The dashboard as push writes it: managed tag and a hash tag of its content."""
    stamped = normalize(dashboard)
    tags = list(stamped.get("tags") or [])
    if MANAGED_TAG not in tags:
        tags.insert(0, MANAGED_TAG)
    stamped["tags"] = tags
    stamped["tags"] = [*tags, HASH_TAG_PREFIX + content_hash(stamped)]
    return stamped
