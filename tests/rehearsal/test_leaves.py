"""A resource step's attempt: the child Workflow runs, and the conditions judge the step."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from lab.rehearsal.leaves import run_resource
from lab.rehearsal.processes import NodeLog
from lab.runs.records import WorkflowRun

MANIFEST = """\
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata: {generateName: child-}
spec:
  workflowTemplateRef: {name: child}
"""


class FakeContext:
    """Only what run_resource uses: a run_child that ends the child in a given phase."""

    def __init__(self, phase: str) -> None:
        self.phase = phase

    def run_child(self, request, parent, path, log, where) -> WorkflowRun:
        return WorkflowRun(f"{request.generate_name}abcde", request.template, {}, self.phase)


@pytest.mark.parametrize(
    ("conditions", "child", "phase"),
    [
        ({}, "Failed", "Succeeded"),  # on a cluster the step only creates the Workflow
        ({"successCondition": "status.phase == Succeeded"}, "Failed", "Failed"),
        ({"failureCondition": "status.phase in (Failed, Error)"}, "Error", "Failed"),
        ({"successCondition": "status.phase == Succeeded"}, "Succeeded", "Succeeded"),
    ],
)
def test_conditions_judge_the_child(tmp_path: Path, conditions: dict, child: str, phase: str):
    template: dict[str, Any] = {
        "name": "spawn",
        "resource": {"action": "create", "manifest": MANIFEST, **conditions},
        "outputs": {"parameters": [{"name": "n", "valueFrom": {"jsonPath": "{.metadata.name}"}}]},
    }
    log = NodeLog(tmp_path / "l")
    parent = WorkflowRun("p", "p", {})
    result = run_resource(
        FakeContext(child), template, parent=parent, parent_path="p[0].spawn", log=log, where="w"
    )
    assert result.phase == phase
    assert result.outputs.parameters == {"n": "child-abcde"}
    assert result.child is not None and result.child.phase == child
