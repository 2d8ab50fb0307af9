"""Definition files run as plain modules, compiled from source, leaving nothing behind."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from generator.loader import MODULE_PREFIX, load_dashboards

DEFINITION = '''# -*- coding: latin-1 -*-
"""Seen."""
from generator.dashboard import Dashboard

D = Dashboard(uid="seen", title="Caf\xe9", rows=[],
              description=f"{__file__}|{__name__}|{__doc__}")
'''


def test_a_definition_runs_as_a_module_of_its_own_and_writes_no_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sys, "dont_write_bytecode", False)
    path = tmp_path / "seen.py"
    path.write_bytes(DEFINITION.encode("latin-1"))

    (dashboard,) = load_dashboards(tmp_path)

    assert dashboard.title == "Caf\xe9"  # its coding line is honoured
    assert dashboard.description == f"{path}|{MODULE_PREFIX}.seen|Seen."
    assert not (tmp_path / "__pycache__").exists()
    assert f"{MODULE_PREFIX}.seen" not in sys.modules


DATACLASS_DEFINITION = """from __future__ import annotations

import dataclasses
import enum

from generator.dashboard import Dashboard


class Tier(enum.Enum):
    GOLD = "gold"


@dataclasses.dataclass(frozen=True)
class Team:
    name: str
    tier: Tier


TEAM = Team("payments", Tier.GOLD)
D = Dashboard(uid="team", title=f"{TEAM.name} ({TEAM.tier.value})", rows=[])
"""


def test_a_definition_may_declare_dataclasses_with_postponed_annotations(tmp_path: Path) -> None:
    # dataclasses resolves string annotations through sys.modules[cls.__module__]
    (tmp_path / "team.py").write_text(DATACLASS_DEFINITION)

    (dashboard,) = load_dashboards(tmp_path)

    assert dashboard.title == "payments (gold)"
    assert f"{MODULE_PREFIX}.team" not in sys.modules
