"""Push behaviours that a one-line bug once broke without any test noticing.

Each test here was seen failing on the planted bug it names (issue 9).
"""

from __future__ import annotations

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
