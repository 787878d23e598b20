"""What steps and tasks share: continueOn by phase, outputs published to later steps."""

from __future__ import annotations

import pytest

from lab.rehearsal.errors import UnresolvedVariable
from lab.rehearsal.nodes import continues, template_outputs
from lab.rehearsal.scope import Scope


@pytest.mark.parametrize(
    ("continue_on", "phase", "goes_on"),
    [({"failed": True}, "Failed", True), ({"failed": True}, "Error", False),
     ({"error": True}, "Error", True), ({}, "Failed", False)],
)  # fmt: skip
def test_continue_on_is_per_phase(continue_on: dict, phase: str, goes_on: bool) -> None:
    assert continues({"continueOn": continue_on}, phase) is goes_on


def test_template_outputs_use_the_default_when_unresolved() -> None:
    params = [
        {"name": "a", "valueFrom": {"parameter": "{{steps.s.outputs.result}}", "default": 0}},
        {"name": "b", "valueFrom": {"parameter": "{{steps.t.outputs.result}}"}},
    ]
    template = {"name": "m", "outputs": {"parameters": params[:1]}}
    assert template_outputs(template, Scope()).parameters == {"a": "0"}
    with pytest.raises(UnresolvedVariable):
        template_outputs({"name": "m", "outputs": {"parameters": params[1:]}}, Scope())
