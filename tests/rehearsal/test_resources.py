"""Resource steps: manifests a rehearsal accepts, and success/failure conditions."""

from __future__ import annotations

import pytest

from lab.rehearsal.errors import RehearsalUnsupported
from lab.rehearsal.resources import condition_holds, parse_manifest, peek_child

MANIFEST = """
apiVersion: argoproj.io/v1alpha1
kind: Workflow
metadata:
  generateName: build-
spec:
  workflowTemplateRef:
    name: build-container-image
  arguments:
    parameters:
      - name: model-version
        value: 3
"""


def test_manifest_gives_template_parameters_and_generate_name() -> None:
    request = parse_manifest(MANIFEST, "here")
    assert (request.template, request.generate_name) == ("build-container-image", "build-")
    assert request.parameters == {"model-version": "3"}  # values are strings, as in Argo


def test_peek_sees_through_variables() -> None:
    text = MANIFEST.replace("value: 3", "value: {{inputs.parameters.v}}")
    assert peek_child(text, "here").template == "build-container-image"


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        (("kind: Workflow", "kind: Pod"), "only a Workflow"),
        (("  workflowTemplateRef:", "  entrypoint: x\n  workflowTemplateRef:"), "spec.entrypoint"),
        (("    name: build-container-image", "    name: b\n    clusterScope: true"), "namespaced"),
    ],
)
def test_other_manifests_are_refused(change: tuple[str, str], fragment: str) -> None:
    with pytest.raises(RehearsalUnsupported, match=fragment):
        parse_manifest(MANIFEST.replace(*change), "here")


@pytest.mark.parametrize(
    ("condition", "phase", "holds"),
    [
        ("status.phase == Succeeded", "Succeeded", True),
        ("status.phase == Succeeded", "Failed", False),
        ("status.phase in (Failed, Error)", "Error", True),
        ("status.phase notin (Failed, Error)", "Failed", False),
        ("status.phase != Failed", "Succeeded", True),
    ],
)
def test_conditions(condition: str, phase: str, holds: bool) -> None:
    assert condition_holds(condition, phase, "here") is holds


def test_other_conditions_are_refused() -> None:
    with pytest.raises(RehearsalUnsupported, match=r"status\.phase"):
        condition_holds("status.succeeded > 0", "Succeeded", "here")
