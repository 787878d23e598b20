"""The Prefect flow behind POST /trigger-training: load data → train → evaluate → register."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
import mlflow.pytorch
from mlflow import MlflowClient
from prefect import flow, get_run_logger, task
from prefect.cache_policies import NO_CACHE
from torch import nn

from gourmetgram_train.config import Settings, get_settings
from gourmetgram_train.data import SPLITS, Food11Data, load_food11
from gourmetgram_train.evaluation import evaluate
from gourmetgram_train.model import build_model, pick_device
from gourmetgram_train.sample_data import ensure_sample_dataset
from gourmetgram_train.serving import serving_metadata, write_serving_artifact
from gourmetgram_train.tracking import pinned_requirements, tensor_signature
from gourmetgram_train.training import fit

ALIAS = "development"


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
    mlflow.log_params({"data_source": data.source, "image_size": data.image_size, **sizes})
    get_run_logger().info("Read %s images from %s", sizes, data.source)
    return data


@task(cache_policy=NO_CACHE)
def train_model(data: Food11Data, epochs: int, settings: Settings) -> nn.Module:
    """Train the small CNN on the training split, logging the loss of each epoch."""
    logger = get_run_logger()
    device = pick_device(settings.device)
    hyperparameters = {
        "epochs": epochs,
        "batch_size": settings.batch_size,
        "learning_rate": settings.learning_rate,
        "seed": settings.seed,
    }
    mlflow.log_params({**hyperparameters, "model": "SmallCNN", "device": str(device)})

    def report(epoch: int, loss: float) -> None:
        mlflow.log_metric("train_loss", loss, step=epoch)
        logger.info("epoch %d/%d: training loss %.4f", epoch, epochs, loss)

    model = build_model(len(data.classes), settings.seed)
    fit(model, data.training, device=device, on_epoch=report, **hyperparameters)
    return model.cpu().eval()


@task(cache_policy=NO_CACHE)
def evaluate_model(model: nn.Module, data: Food11Data) -> dict[str, float]:
    """Accuracy, loss and per-class accuracy on the held-out evaluation split."""
    metrics = evaluate(model, data.evaluation, data.classes).as_metrics()
    mlflow.log_metrics(metrics)
    get_run_logger().info("accuracy %.3f, loss %.3f", metrics["accuracy"], metrics["loss"])
    return metrics


@task(cache_policy=NO_CACHE)
def register_model(model_uri: str, settings: Settings) -> str:
    """Register the logged model as a new version and point the `development` alias at it."""
    client = MlflowClient()
    version = mlflow.register_model(model_uri, settings.model_name)
    try:
        client.set_registered_model_alias(settings.model_name, ALIAS, version.version)
    except Exception:
        client.delete_model_version(settings.model_name, version.version)  # nothing half-done
        raise
    get_run_logger().info("registered version %s as @%s", version.version, ALIAS)
    return version.version


def log_model_artifacts(model: nn.Module, data: Food11Data, settings: Settings, run_id: str) -> str:
    """Log the MLflow model and the serving/ artifact the app loads; return the model's URI."""
    example = data.evaluation.images[:2]  # a batch of 2 keeps the batch dimension dynamic
    info = mlflow.pytorch.log_model(
        model,
        name="model",
        input_example=example.numpy(),
        signature=tensor_signature(data.image_size, len(data.classes)),
        pip_requirements=pinned_requirements(),
    )
    with tempfile.TemporaryDirectory() as tmp:
        metadata = serving_metadata(data, settings.model_name, run_id)
        write_serving_artifact(model, example, metadata, Path(tmp))
        mlflow.log_artifacts(tmp, artifact_path="serving")
    return info.model_uri


@flow(name="train_and_register")
def train_and_register(epochs: int | None = None) -> TrainingResult:
    """Load data → train → evaluate → register the model if it passes the accuracy gate."""
    settings = get_settings()
    mlflow.set_tracking_uri(settings.mlflow_tracking_uri)
    mlflow.set_experiment(settings.mlflow_experiment_name)
    with mlflow.start_run() as run:  # if anything below raises, the run ends FAILED
        data = load_data(settings)
        model = train_model(data, settings.epochs if epochs is None else epochs, settings)
        metrics = evaluate_model(model, data)
        model_uri = log_model_artifacts(model, data, settings, run.info.run_id)
        passed = metrics["accuracy"] >= settings.accuracy_threshold
        mlflow.log_param("accuracy_threshold", settings.accuracy_threshold)
        mlflow.set_tag("gate", "passed" if passed else "failed")
        version = register_model(model_uri, settings) if passed else None
    return TrainingResult(run.info.run_id, version, metrics)
