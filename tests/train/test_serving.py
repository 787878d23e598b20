"""The serving artifact: torch.export program + metadata, loadable with torch alone."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch

from gourmetgram_train.model import build_model
from gourmetgram_train.serving import (
    export_program,
    write_serving_artifact,
    write_serving_files,
)

METADATA = {
    "format": "torch.export",
    "classes": [f"c{i}" for i in range(11)],
    "image_size": 32,
    "mean": [0.5, 0.5, 0.5],
    "std": [0.2, 0.2, 0.2],
    "model_name": "GourmetGramFood11Model",
    "run_id": "abc",
}


@pytest.fixture(scope="module")
def artifact(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, torch.nn.Module]:
    """A written serving artifact and the model it came from."""
    model = build_model(11, seed=0).eval()
    out = tmp_path_factory.mktemp("serving")
    write_serving_artifact(model, torch.randn(2, 3, 32, 32), METADATA, out)
    return out, model


def test_files_and_metadata(artifact: tuple[Path, torch.nn.Module]) -> None:
    out, _ = artifact
    assert sorted(p.name for p in out.iterdir()) == ["metadata.json", "model.pt2"]
    assert json.loads((out / "metadata.json").read_text()) == METADATA


@pytest.mark.parametrize("batch", [1, 3, 17])
def test_loaded_program_matches_the_model_for_any_batch(
    artifact: tuple[Path, torch.nn.Module], batch: int
) -> None:
    out, model = artifact
    loaded = torch.export.load(out / "model.pt2").module()
    images = torch.randn(batch, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(loaded(images), model(images), atol=1e-5)


def test_loads_without_the_training_code(artifact: tuple[Path, torch.nn.Module]) -> None:
    out, _ = artifact
    code = (
        "import sys, torch; m = torch.export.load(sys.argv[1]).module(); "
        "print(tuple(m(torch.zeros(4, 3, 32, 32)).shape)); "
        "assert not any(n.startswith('gourmetgram_train') for n in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(out / "model.pt2")],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=out,
        env={"PATH": "/usr/bin:/bin"},
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "(4, 11)"


def test_batch_of_one_example_is_refused() -> None:
    with pytest.raises(ValueError, match="batch of at least 2"):
        export_program(build_model(11, seed=0), torch.randn(1, 3, 32, 32))


def test_files_from_a_saved_program(artifact: tuple[Path, torch.nn.Module], tmp_path: Path) -> None:
    out, model = artifact
    written = write_serving_files(out / "model.pt2", METADATA, tmp_path / "serving")
    assert sorted(p.name for p in written.iterdir()) == ["metadata.json", "model.pt2"]
    assert json.loads((written / "metadata.json").read_text()) == METADATA
    loaded = torch.export.load(written / "model.pt2").module()
    images = torch.randn(5, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(loaded(images), model(images), atol=1e-5)
