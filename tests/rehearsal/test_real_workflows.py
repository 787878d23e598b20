"""The lab's own WorkflowTemplates pass every check a rehearsal makes before running."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.rehearsal import HandlerResult, StepContext, StepRefused, preflight
from lab.rehearsal.pods import BUILDER_IMAGES

WORKFLOWS = Path(__file__).resolve().parents[2] / "workflows"
NAMES = ("train-model", "build-container-image")

pytestmark = pytest.mark.skipif(
    not all((WORKFLOWS / f"{name}.yaml").is_file() for name in NAMES),
    reason="workflows/ does not hold train-model.yaml and build-container-image.yaml yet",
)


def _never_called(ctx: StepContext) -> HandlerResult:
    raise AssertionError("preflight runs nothing")


@pytest.mark.parametrize("name", NAMES)
def test_lab_templates_are_rehearsable_with_a_builder_handler(name: str) -> None:
    handlers = dict.fromkeys(BUILDER_IMAGES, _never_called)
    notes = preflight(WORKFLOWS, name, image_handlers=handlers)
    assert all("ignored" in note for note in notes)


def test_without_a_handler_the_image_build_is_refused() -> None:
    with pytest.raises(StepRefused, match=r"step 'build-image' runs image .*: no local equivalent"):
        preflight(WORKFLOWS, "train-model")
