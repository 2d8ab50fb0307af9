"""failure_flags' `flags` option: what goes into its regex matcher is a flag name or an error."""

from __future__ import annotations

import pytest

from generator.errors import DefinitionError, FlavorError
from generator.flavors import CONSUL, ISTIO
from generator.panels.resilience import GAVE_UP_FLAGS, failure_flags


def test_flags_narrow_the_matcher_and_the_description_to_those_flags() -> None:
    panel = failure_flags(flavor=ISTIO, flags=("URX", "UO"))
    (target,) = panel.targets
    assert 'response_flags=~".*(URX|UO).*"' in target.expr
    assert 'response_flags!="-"' not in target.expr
    assert "URX retries exhausted, UO circuit breaker overflow." in panel.description
    assert "UF" not in panel.description


def test_without_flags_every_flagged_call_counts() -> None:
    (target,) = failure_flags(flavor=ISTIO).targets
    assert 'response_flags!="-"' in target.expr
    assert '=~".*(' not in target.expr


@pytest.mark.parametrize("flag", ["U.*", "urx", "URX|NR", ""])
def test_a_flag_that_is_not_a_flag_name_is_a_definition_error(flag: str) -> None:
    with pytest.raises(DefinitionError, match=f"{flag!r} is not a response flag name"):
        failure_flags(flavor=ISTIO, flags=(*GAVE_UP_FLAGS, flag))


def test_a_mesh_without_response_flags_is_refused() -> None:
    with pytest.raises(FlavorError, match="'consul'"):
        failure_flags(flavor=CONSUL, flags=GAVE_UP_FLAGS)
