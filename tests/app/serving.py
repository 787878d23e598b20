"""Test helpers: a serving artifact from the training code, build contexts, a running app."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import torch

from gourmetgram_train.data import FOOD11_CLASSES
from gourmetgram_train.model import build_model
from gourmetgram_train.serving import write_serving_artifact
from lab.services.ports import free_port

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
    """Start ``python -m gourmetgram_app`` in ``context`` on a free port; yield its URL."""
    port = free_port()
    env = {**os.environ, "HOST": "127.0.0.1", "PORT": str(port)}
    env.pop("MODEL_DIR", None)
    env.pop("PYTHONPATH", None)  # the app must run from its build context alone
    with log_path.open("w") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "gourmetgram_app"], cwd=context, env=env, stdout=log, stderr=log
        )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(process, url, log_path)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def wait_healthy(process: subprocess.Popen, url: str, log_path: Path) -> None:
    """Poll /health until it answers 200; fail with the log if the app dies or is slow."""
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the app exited ({process.returncode}):\n{log_path.read_text()}")
        try:
            if httpx.get(f"{url}/health", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    raise AssertionError(
        f"the app did not answer /health in {START_TIMEOUT_S} s:\n{log_path.read_text()}"
    )


def read_metadata(context: Path) -> dict:
    """The context's model/metadata.json."""
    return json.loads((context / "model" / "metadata.json").read_text())
