"""Push behaviours that a one-line bug once broke without any test noticing.

Each test here was seen failing on the planted bug it names (issue 9).
"""

from __future__ import annotations

import hashlib
import json

from grafana_testdata import BUILD, summary_counts, write_build

from generator.grafana import state


def test_a_from_dashboard_without_the_managed_tag_is_written_once(meshdash, grafana, tmp_path):
    """Push stamps the managed tag onto a `--from` file that lacks it; the no-write check
    must compare Grafana's content with that stamped JSON, not with the file as read
    (planted bug: every push rewrote these dashboards with a new Grafana version)."""
    untagged = {uid: {**data, "tags": ["consul"]} for uid, data in BUILD.items()}
    folder = write_build(tmp_path / "exported", untagged)
    first = meshdash("push", "--from", str(folder))
    assert first.code == 0, first.out + first.err
    assert summary_counts(first.out)["created"] == 3
    assert all(state.is_managed(grafana.dashboard(uid)) for uid in BUILD)
    writes = grafana.writes

    again = meshdash("push", "--from", str(folder))

    assert again.code == 0, again.out + again.err
    assert summary_counts(again.out)["unchanged"] == 3
    assert grafana.writes == writes
    assert {uid: grafana.dashboards[uid].version for uid in BUILD} == dict.fromkeys(BUILD, 1)


def test_the_hash_tag_is_the_documented_sha256_not_whatever_state_computes():
    """An oracle apart from ``state``: SHA-256 of the compact, sorted-key JSON without
    ``id``/``version``/``iteration`` and the hash tag (state's docstring). A change to it
    would make every dashboard meshdash wrote before look edited in Grafana."""
    dashboard = {**BUILD["meshdash-service"], "title": "Zahlungsübersicht", "id": 4, "version": 7}
    stamped = state.stamp(dashboard)

    content = {k: v for k, v in stamped.items() if k not in ("id", "version", "iteration")}
    content["tags"] = [t for t in stamped["tags"] if not t.startswith("meshdash-hash:")]
    text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()

    assert stamped["tags"] == ["meshdash", "consul", f"meshdash-hash:{digest[:12]}"]
    assert "id" not in stamped and "version" not in stamped
