"""Load the serving artifact (model.pt2 + metadata.json) with torch alone, and predict."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import torch
from PIL import Image

MODEL_FILE = "model.pt2"
METADATA_FILE = "metadata.json"
FETCH_HINT = "the build's fetch-model step downloads it from MLflow; or set MODEL_DIR"


class ModelLoadError(RuntimeError):
    """Raised when the model folder is missing files or holds something the app cannot use."""


@dataclass(frozen=True)
class ServingModel:
    """The exported network and what it needs: class names, image size, normalisation."""

    module: torch.nn.Module
    classes: tuple[str, ...]
    image_size: int
    mean: torch.Tensor  # (3, 1, 1)
    std: torch.Tensor  # (3, 1, 1)
    metadata: dict[str, Any]

    def preprocess(self, image: Image.Image) -> torch.Tensor:
        """RGB, resized to S×S (bilinear), scaled to [0, 1], normalised: a (3, S, S) tensor."""
        size = (self.image_size, self.image_size)
        # convert() copies even an RGB image: skip it, a large photo need not be held twice.
        rgb = image if image.mode == "RGB" else image.convert("RGB")
        rgb = rgb.resize(size, Image.Resampling.BILINEAR)
        pixels = torch.frombuffer(bytearray(rgb.tobytes()), dtype=torch.uint8)
        chw = pixels.view(self.image_size, self.image_size, 3).permute(2, 0, 1).float() / 255.0
        return (chw - self.mean) / self.std

    def predict(self, images: list[Image.Image]) -> list[dict[str, float]]:
        """Class probabilities for each image, in the order of ``classes``."""
        batch = torch.stack([self.preprocess(image) for image in images])
        with torch.inference_mode():
            probabilities = torch.softmax(self.module(batch), dim=1)
        return [dict(zip(self.classes, row.tolist(), strict=True)) for row in probabilities]


def read_metadata(path: Path) -> dict[str, Any]:
    """metadata.json, checked for the fields the app uses."""
    try:
        metadata = json.loads(path.read_text(encoding="utf-8"))
    except json.JSONDecodeError as error:
        raise ModelLoadError(f"{path} is not valid JSON: {error}") from error
    missing = [key for key in ("classes", "image_size", "mean", "std") if key not in metadata]
    if missing:
        raise ModelLoadError(
            f"{path} lacks {', '.join(missing)}: was it written by the training service?"
        )
    if metadata.get("format", "torch.export") != "torch.export":
        raise ModelLoadError(f"{path}: format {metadata['format']!r} is not 'torch.export'")
    return metadata


def load_serving_model(model_dir: Path) -> ServingModel:
    """Load ``model_dir``/model.pt2 and metadata.json, and check that they work together."""
    where = f"{model_dir} (resolved: {model_dir.resolve()})"
    for name in (MODEL_FILE, METADATA_FILE):
        if not (model_dir / name).is_file():
            raise ModelLoadError(f"model folder {where} has no {name}: {FETCH_HINT}")
    metadata = read_metadata(model_dir / METADATA_FILE)
    try:
        module = torch.export.load(model_dir / MODEL_FILE).module()
    except Exception as error:  # torch raises many types for a bad archive
        raise ModelLoadError(
            f"{model_dir / MODEL_FILE} is not a torch.export program: {error}"
        ) from error
    model = ServingModel(
        module=module,
        classes=tuple(metadata["classes"]),
        image_size=int(metadata["image_size"]),
        mean=torch.tensor(metadata["mean"], dtype=torch.float32).view(3, 1, 1),
        std=torch.tensor(metadata["std"], dtype=torch.float32).view(3, 1, 1),
        metadata=metadata,
    )
    check_output(model)
    return model


def check_output(model: ServingModel) -> None:
    """Run one blank image through the network: it must give one logit per class."""
    blank = torch.zeros(1, 3, model.image_size, model.image_size)
    try:
        with torch.inference_mode():
            logits = model.module(blank)
    except Exception as error:  # a shape mismatch surfaces as various torch errors
        raise ModelLoadError(
            f"the model does not run on {model.image_size}px images (metadata image_size): {error}"
        ) from error
    if tuple(logits.shape) != (1, len(model.classes)):
        raise ModelLoadError(
            f"metadata names {len(model.classes)} classes; the model disagrees "
            f"(it gives logits of shape {tuple(logits.shape)})"
        )
