"""The real lesson text builds, and the committed outputs are what the build makes."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from lab.notebooks.build import plan_outputs
from lab.notebooks.manifest import MANIFEST
from lab.notebooks.write import stale_outputs

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.skipif(not (ROOT / MANIFEST).is_file(), reason="no snippets/notebooks.yaml yet")
def test_the_lesson_builds_and_the_committed_outputs_are_current() -> None:
    outputs = plan_outputs(ROOT)
    for path, data in outputs.items():
        if path.suffix == ".ipynb":
            nbformat.validate(nbformat.reads(data.decode("utf-8"), as_version=nbformat.NO_CONVERT))
    stale = [f"{why}: {path.relative_to(ROOT)}" for path, why in stale_outputs(outputs)]
    assert not stale, "run `python build_notebooks.py` and commit the outputs"
