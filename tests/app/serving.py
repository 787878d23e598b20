"""Test helpers: a serving artifact from the training code, build contexts, a running app."""

from __future__ import annotations

import json
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import torch

from gourmetgram_train.data import FOOD11_CLASSES
from gourmetgram_train.model import build_model
from gourmetgram_train.serving import write_serving_artifact
from lab.services.app import start_app
from lab.services.process import stop_service

REPO = Path(__file__).resolve().parents[2]
APP_SOURCE = REPO / "app"
IMAGE_SIZE = 32
START_TIMEOUT_S = 90


def make_serving_artifact(out_dir: Path, seed: int = 0) -> Path:
    """A real serving/ artifact (model.pt2 + metadata.json) written by the training code."""
    model = build_model(len(FOOD11_CLASSES), seed)
    example = torch.rand(2, 3, IMAGE_SIZE, IMAGE_SIZE)
    metadata = {
        "format": "torch.export",
        "classes": list(FOOD11_CLASSES),
        "image_size": IMAGE_SIZE,
        "mean": [0.55, 0.45, 0.35],
        "std": [0.25, 0.24, 0.26],
        "model_name": "GourmetGramFood11Model",
        "run_id": "test-run",
    }
    return write_serving_artifact(model, example, metadata, out_dir)


def copy_app_source(destination: Path) -> Path:
    """The app folder as a checkout has it (no caches, no model/)."""
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", "model")
    shutil.copytree(APP_SOURCE, destination, ignore=ignore)
    return destination


def assemble_context(destination: Path, serving_dir: Path, model_version: int) -> Path:
    """A build context as build-container-image makes it: app/ + model/ + model/version.txt."""
    context = copy_app_source(destination)
    shutil.copytree(serving_dir, context / "model")
    (context / "model" / "version.txt").write_text(f"1.0.{model_version}\n")
    return context


@contextmanager
def running_app(context: Path, log_path: Path) -> Iterator[str]:
    """Start ``python -m gourmetgram_app`` in ``context`` on a free port; yield its URL.

    The app's log ends up at ``log_path`` (the service's own log, copied when it stops).
    """
    state_dir = log_path.parent / f".{log_path.stem}-state"
    service = start_app(context, state_dir, timeout_s=START_TIMEOUT_S)
    try:
        yield service.url
    finally:
        stop_service(service, state_dir)
        shutil.copyfile(service.log_path, log_path)


def read_metadata(context: Path) -> dict:
    """The context's model/metadata.json."""
    return json.loads((context / "model" / "metadata.json").read_text())
