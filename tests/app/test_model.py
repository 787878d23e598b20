"""Loading the serving artifact and preprocessing images, in process."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch
from PIL import Image

from gourmetgram_app.model import ModelLoadError, load_serving_model


def test_preprocessing_follows_the_metadata(serving_dir: Path) -> None:
    model = load_serving_model(serving_dir)
    red = Image.new("RGB", (100, 50), (255, 0, 0))
    tensor = model.preprocess(red)
    size = model.image_size
    assert tensor.shape == (3, size, size) and tensor.dtype == torch.float32
    mean, std = model.metadata["mean"], model.metadata["std"]
    expected = [(1.0 - mean[0]) / std[0], (0.0 - mean[1]) / std[1], (0.0 - mean[2]) / std[2]]
    assert torch.allclose(tensor[:, 0, 0], torch.tensor(expected), atol=1e-5)


def test_grey_and_rgba_images_are_converted_to_rgb(serving_dir: Path) -> None:
    model = load_serving_model(serving_dir)
    images = [Image.new("L", (40, 40), 128), Image.new("RGBA", (40, 40), (10, 20, 30, 0))]
    results = model.predict(images)
    assert len(results) == 2 and all(len(r) == len(model.classes) for r in results)


def test_batch_size_is_dynamic(serving_dir: Path) -> None:
    model = load_serving_model(serving_dir)
    images = [Image.new("RGB", (32, 32), (i * 20, 100, 50)) for i in range(5)]
    assert len(model.predict(images)) == 5


@pytest.mark.parametrize("missing", ["model.pt2", "metadata.json"])
def test_a_missing_file_is_named(serving_dir: Path, tmp_path: Path, missing: str) -> None:
    shutil.copytree(serving_dir, tmp_path / "model")
    (tmp_path / "model" / missing).unlink()
    with pytest.raises(ModelLoadError, match=f"has no {missing}: the build's fetch-model step"):
        load_serving_model(tmp_path / "model")


def test_metadata_without_classes_is_refused(serving_dir: Path, tmp_path: Path) -> None:
    shutil.copytree(serving_dir, tmp_path / "model")
    path = tmp_path / "model" / "metadata.json"
    metadata = json.loads(path.read_text())
    del metadata["classes"]
    path.write_text(json.dumps(metadata))
    with pytest.raises(ModelLoadError, match="lacks classes"):
        load_serving_model(tmp_path / "model")


def test_metadata_that_disagrees_with_the_model_is_refused(
    serving_dir: Path, tmp_path: Path
) -> None:
    shutil.copytree(serving_dir, tmp_path / "model")
    path = tmp_path / "model" / "metadata.json"
    metadata = json.loads(path.read_text())
    metadata["classes"] = metadata["classes"][:5]
    path.write_text(json.dumps(metadata))
    with pytest.raises(ModelLoadError, match="names 5 classes; the model disagrees"):
        load_serving_model(tmp_path / "model")
