"""The Prefect flow behind POST /trigger-training: load data → train → evaluate → register."""

from __future__ import annotations

import tempfile
import time
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import mlflow
import mlflow.pytorch
import torch
from mlflow import MlflowClient
from mlflow.entities import Metric, RunTag
from mlflow.models.model import ModelInfo
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from torch import nn

from gourmetgram_train.config import Settings, get_settings
from gourmetgram_train.data import SPLITS, Food11Data, load_food11
from gourmetgram_train.evaluation import evaluate
from gourmetgram_train.mlflow_runs import service_run
from gourmetgram_train.model import build_model, pick_device
from gourmetgram_train.sample_data import ensure_sample_dataset
from gourmetgram_train.serving import serving_metadata, write_serving_files
from gourmetgram_train.stopping import check_stop
from gourmetgram_train.tracking import (
    download_exported_program,
    pinned_requirements,
    tensor_signature,
)
from gourmetgram_train.training import fit

ALIAS = "development"


class RegistrationIncompleteError(RuntimeError):
    """Raised when a new version exists but could be neither aliased nor deleted again."""


@dataclass(frozen=True)
class TrainingResult:
    """What one flow run produced: its MLflow run, the new version (None if the gate failed)."""

    run_id: str
    new_model_version: str | None
    metrics: dict[str, float]


# Every trigger trains anew: no task caching (it would also hash the tensors each time).
@task(cache_policy=NO_CACHE)
def load_data(settings: Settings) -> Food11Data:
    """Read Food-11 from DATA_DIR, or generate the sample set in the same layout."""
    root = settings.data_dir
    if root is None:
        cache = settings.state_dir / "data"
        root = ensure_sample_dataset(cache, settings.seed, settings.image_size)
    data = load_food11(root, settings.image_size, settings.max_images_per_class)
    sizes = {f"n_{split}": len(getattr(data, split)) for split in SPLITS}
    get_run_logger().info("Read %s images from %s", sizes, data.source)
    return data


@task(cache_policy=NO_CACHE)
def train_model(
    data: Food11Data, epochs: int, device: torch.device, settings: Settings
) -> tuple[nn.Module, list[Metric]]:
    """Train the small CNN on the training split; return it and its `train_loss` per epoch."""
    logger = get_run_logger()
    losses: list[Metric] = []

    def report(epoch: int, loss: float) -> None:
        losses.append(Metric("train_loss", loss, time_ms(), epoch))
        logger.info("epoch %d/%d: training loss %.4f", epoch, epochs, loss)

    model = build_model(len(data.classes), settings.seed)
    # Between batches, a stop request (`docker stop`) ends the training: see stopping.py.
    stop_point = partial(check_stop, "while training")
    fit(
        model,
        data.training,
        device=device,
        on_epoch=report,
        before_batch=stop_point,
        **hyperparameters(epochs, settings),
    )
    return model.cpu().eval(), losses


@task(cache_policy=NO_CACHE)
def evaluate_model(model: nn.Module, data: Food11Data) -> dict[str, float]:
    """Accuracy, loss and per-class accuracy on the held-out evaluation split."""
    metrics = evaluate(model, data.evaluation, data.classes).as_metrics()
    get_run_logger().info("accuracy %.3f, loss %.3f", metrics["accuracy"], metrics["loss"])
    return metrics


@task(cache_policy=NO_CACHE)
def register_model(model_uri: str, settings: Settings) -> str:
    """Register the logged model as a new version and point the `development` alias at it."""
    client = MlflowClient()
    version = mlflow.register_model(model_uri, settings.model_name)
    try:
        client.set_registered_model_alias(settings.model_name, ALIAS, version.version)
    except Exception as exc:
        try:
            client.delete_model_version(settings.model_name, version.version)  # nothing half-done
        except Exception as cleanup:
            raise RegistrationIncompleteError(
                f"{settings.model_name} version {version.version} was registered, but neither "
                f"aliased {ALIAS} ({exc}) nor deleted ({cleanup}): delete it or set the alias "
                "by hand"
            ) from exc
        raise
    get_run_logger().info("registered version %s as @%s", version.version, ALIAS)
    return version.version


def time_ms() -> int:
    """Now, in milliseconds since the epoch (MLflow's metric timestamps)."""
    return int(time.time() * 1000)


def hyperparameters(epochs: int, settings: Settings) -> dict[str, Any]:
    """The training loop's knobs, as fit() takes them."""
    return {
        "epochs": epochs,
        "batch_size": settings.batch_size,
        "learning_rate": settings.learning_rate,
        "seed": settings.seed,
    }


def run_params(
    data: Food11Data, epochs: int, device: torch.device, settings: Settings
) -> dict[str, Any]:
    """Every parameter of a run: data source and split sizes, knobs, device, model, gate."""
    return {
        "data_source": data.source,
        "image_size": data.image_size,
        **{f"n_{split}": len(getattr(data, split)) for split in SPLITS},
        **hyperparameters(epochs, settings),
        "model": "SmallCNN",
        "device": str(device),
        "accuracy_threshold": settings.accuracy_threshold,
    }


def log_results(
    run_id: str, losses: list[Metric], metrics: dict[str, float], model_id: str, passed: bool
) -> None:
    """Log the loss history, the evaluation (linked to the logged model) and the gate at once."""
    now = time_ms()
    evaluation = [Metric(key, value, now, 0, model_id=model_id) for key, value in metrics.items()]
    gate = RunTag("gate", "passed" if passed else "failed")
    MlflowClient().log_batch(run_id, metrics=[*losses, *evaluation], tags=[gate])


def log_model_artifacts(
    model: nn.Module, data: Food11Data, settings: Settings, run_id: str
) -> ModelInfo:
    """Log the MLflow model, then the serving/ artifact with the same torch.export program."""
    example = data.evaluation.images[:2]  # a batch of 2 keeps the batch dimension dynamic
    info = mlflow.pytorch.log_model(
        model,
        name="model",
        input_example=example.numpy(),
        signature=tensor_signature(data.image_size, len(data.classes)),
        pip_requirements=pinned_requirements(),
        serialization_format="pt2",
        # MLflow would load the model back and predict on the example only to log a warning
        # if that failed; the build's check serves the registered model for real instead.
        validate_serving_input=False,
    )
    # Fetching the program MLflow exported costs a fraction of exporting the model again, and
    # the app then serves exactly what MLflow registered.
    with tempfile.TemporaryDirectory() as tmp:
        program = download_exported_program(info.model_id, Path(tmp))
        metadata = serving_metadata(data, settings.model_name, run_id)
        serving = write_serving_files(program, metadata, Path(tmp) / "serving")
        mlflow.log_artifacts(str(serving), artifact_path="serving")
    return info


@flow(name="train_and_register")
def train_and_register(epochs: int | None = None) -> TrainingResult:
    """Load data → train → evaluate → register the model if it passes the accuracy gate."""
    settings = get_settings()
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    mlflow.set_experiment(settings.mlflow_experiment_name)
    epochs = settings.epochs if epochs is None else epochs
    logger = get_run_logger()
    with service_run() as run_id:  # if anything below raises, the run ends FAILED
        data = load_data(settings)
        device = pick_device(settings.device)
        # All parameters in one request, before log_model, which copies them onto the model.
        # The metrics in one request after it: log_model links metrics already logged to the
        # model by fetching the history of each (one request per metric); log_results links
        # them by the model's id instead.
        mlflow.log_params(run_params(data, epochs, device, settings))
        model, losses = train_model(data, epochs, device, settings)  # stops between batches
        metrics = evaluate_model(model, data)
        passed = metrics["accuracy"] >= settings.accuracy_threshold
        check_stop("before logging the model")
        info = log_model_artifacts(model, data, settings, run_id)
        log_results(run_id, losses, metrics, info.model_id, passed)
        # The last point where a stop request cancels the run: from here on it finishes, so
        # that its answer and the registry agree.
        check_stop("before registering")
        if passed:
            logger.info("registering the model: this run now finishes even if asked to stop")
        version = register_model(info.model_uri, settings) if passed else None
    return TrainingResult(run_id, version, metrics)
