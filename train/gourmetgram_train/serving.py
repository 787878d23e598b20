"""The serving artifact: the model as a torch.export program plus its preprocessing metadata."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import torch
from torch import nn

from gourmetgram_train.data import Food11Data

MODEL_FILE = "model.pt2"
METADATA_FILE = "metadata.json"


def serving_metadata(data: Food11Data, model_name: str, run_id: str) -> dict[str, Any]:
    """What the app needs to preprocess an image and name the predicted class."""
    return {
        "format": "torch.export",
        "classes": list(data.classes),
        "image_size": data.image_size,
        "mean": list(data.mean),
        "std": list(data.std),
        "model_name": model_name,
        "run_id": run_id,
    }


def export_program(model: nn.Module, example: torch.Tensor) -> torch.export.ExportedProgram:
    """torch.export the model in eval mode on CPU, with a dynamic batch dimension."""
    if example.shape[0] < 2:
        raise ValueError("the example needs a batch of at least 2, or the batch size is fixed")
    batch = torch.export.Dim("batch", min=1, max=4096)
    model = model.to("cpu").eval()
    return torch.export.export(model, (example.cpu(),), dynamic_shapes=({0: batch},))


def write_serving_artifact(
    model: nn.Module, example: torch.Tensor, metadata: dict[str, Any], out_dir: Path
) -> Path:
    """Export model, write out_dir/model.pt2 and out_dir/metadata.json; return out_dir."""
    out_dir.mkdir(parents=True, exist_ok=True)
    torch.export.save(export_program(model, example), out_dir / MODEL_FILE)
    return _write_metadata(metadata, out_dir)


def write_serving_files(program: Path, metadata: dict[str, Any], out_dir: Path) -> Path:
    """Like write_serving_artifact, from a program file that torch.export.save wrote."""
    out_dir.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(program, out_dir / MODEL_FILE)
    return _write_metadata(metadata, out_dir)


def _write_metadata(metadata: dict[str, Any], out_dir: Path) -> Path:
    """Write out_dir/metadata.json; return out_dir."""
    (out_dir / METADATA_FILE).write_text(json.dumps(metadata, indent=2) + "\n")
    return out_dir
