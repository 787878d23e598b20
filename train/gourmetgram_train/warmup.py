"""Pay the first training's one-time costs at start-up: the first trigger is as quick as the rest.

The first run in a fresh process pays about 5 s (here) that later runs skip: Adam's
constructor imports torch._dynamo, `log_model` imports torch.export's tracer, and MLflow maps
every installed package to its modules to check the model's requirements. The service does
the same calls once at start-up, in the training thread, while Prefect's server boots: an
untrained SmallCNN, one Adam step, and the model saved (not logged) to a temporary folder.
Nothing is sent to MLflow.
"""

from __future__ import annotations

import logging
import tempfile
import time
from pathlib import Path

import mlflow.pytorch
import torch
from torch import nn

from gourmetgram_train.model import SmallCNN
from gourmetgram_train.tracking import pinned_requirements, tensor_signature

logger = logging.getLogger(__name__)


def warm_up(image_size: int, num_classes: int = 11) -> float:
    """Run one Adam step and save a pt2 MLflow model, as training does; return the seconds."""
    started = time.monotonic()
    model = SmallCNN(num_classes)
    optimiser = torch.optim.Adam(model.parameters())
    example = torch.zeros(2, 3, image_size, image_size)
    nn.functional.cross_entropy(model(example), torch.zeros(2, dtype=torch.long)).backward()
    optimiser.step()
    with tempfile.TemporaryDirectory(prefix="gourmetgram-warm-up-") as folder:
        mlflow.pytorch.save_model(
            model.eval(),
            Path(folder) / "model",
            input_example=example.numpy(),
            signature=tensor_signature(image_size, num_classes),
            pip_requirements=pinned_requirements(),
            serialization_format="pt2",
        )
    return time.monotonic() - started


def warm_up_logged(image_size: int) -> None:
    """warm_up, logged; a failure is logged with its traceback, and the first run pays instead."""
    try:
        seconds = warm_up(image_size)
    except Exception:  # only a head start is lost: the first trigger does the same calls
        logger.warning("warm-up failed; the first training pays its one-time costs", exc_info=True)
        return
    logger.info("warmed up in %.1f s: torch._dynamo, torch.export and MLflow's checks", seconds)
