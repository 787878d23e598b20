"""MLflow helpers for the service: is the server reachable, the model's signature and pins."""

from __future__ import annotations

import threading
import time
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import mlflow
import mlflow.artifacts
import numpy as np
from mlflow.models import ModelSignature
from mlflow.types import Schema, TensorSpec

from gourmetgram_train.http_probe import probe_client

# Where mlflow.pytorch's pt2 format keeps the torch.export program inside a model's files.
EXPORTED_PROGRAM_PATH = "data/model.pt2"


class MlflowUnavailableError(RuntimeError):
    """Raised when the MLflow tracking server cannot be reached."""


def check_mlflow(uri: str, timeout_s: float = 5.0) -> None:
    """Raise MlflowUnavailableError naming uri unless its /health answers 200 (http(s) only)."""
    if urlsplit(uri).scheme not in ("http", "https"):
        return  # a local store (file:, sqlite:) has no server to be down
    health = uri.rstrip("/") + "/health"
    try:
        response = probe_client().get(health, timeout=timeout_s)
    except httpx.HTTPError as exc:
        raise MlflowUnavailableError(
            f"MLflow at {uri} cannot be reached ({type(exc).__name__}: {exc}). "
            "Check MLFLOW_TRACKING_URI and that the MLflow server is running."
        ) from exc
    if response.status_code != 200:
        raise MlflowUnavailableError(
            f"MLflow at {uri} answered {response.status_code} on /health: is it an MLflow server?"
        )


class MlflowProbe:
    """MLflow's reachability for /health: asked at most once per `ttl_s`, `timeout_s` each.

    A failure is kept only as long as asking took (at least `min_retry_s`): a server that
    hangs is not asked more often than every `timeout_s`, but one that refused the connection
    (not up yet) is asked again at the next /health, so "ok" follows as soon as it is up.
    """

    def __init__(
        self, uri: str, timeout_s: float = 1.0, ttl_s: float = 2.0, min_retry_s: float = 0.2
    ) -> None:
        self.uri = uri
        self.timeout_s = timeout_s
        self.ttl_s = ttl_s
        self.min_retry_s = min_retry_s
        self._lock = threading.Lock()  # concurrent health checks share one probe
        self._fresh_until: float | None = None
        self._problem: str | None = None

    def problem(self) -> str | None:
        """None when MLflow answered lately; otherwise what is wrong with it."""
        with self._lock:
            now = time.monotonic()
            if self._fresh_until is None or now >= self._fresh_until:
                try:
                    check_mlflow(self.uri, self.timeout_s)
                    self._problem = None
                except MlflowUnavailableError as exc:
                    self._problem = str(exc)
                took = time.monotonic() - now
                keep = self.ttl_s if self._problem is None else max(took, self.min_retry_s)
                self._fresh_until = time.monotonic() + min(keep, self.ttl_s)
            return self._problem


def installed_version(*names: str) -> str:
    """The installed version of the first distribution found among names (local label dropped)."""
    for name in names:
        try:
            return version(name).split("+")[0]
        except PackageNotFoundError:
            continue
    raise PackageNotFoundError(f"none of {names} is installed")


def pinned_requirements() -> list[str]:
    """Exact pins for loading the logged model: what this service runs with."""
    return [
        f"mlflow=={installed_version('mlflow', 'mlflow-skinny')}",
        f"torch=={installed_version('torch')}",
        f"numpy=={installed_version('numpy')}",
    ]


def tensor_signature(image_size: int, num_classes: int) -> ModelSignature:
    """(B, 3, S, S) float32 images in, (B, num_classes) float32 logits out.

    Written out rather than inferred: mlflow's infer_signature needs scipy, which the image's
    mlflow-skinny does not install.
    """
    float32 = np.dtype(np.float32)
    return ModelSignature(
        inputs=Schema([TensorSpec(float32, (-1, 3, image_size, image_size))]),
        outputs=Schema([TensorSpec(float32, (-1, num_classes))]),
    )


def download_exported_program(model_id: str, dst_dir: Path) -> Path:
    """Fetch the torch.export program of a model logged in pt2 format into dst_dir."""
    location = mlflow.get_logged_model(model_id).artifact_location
    uri = f"{location.rstrip('/')}/{EXPORTED_PROGRAM_PATH}"
    return Path(mlflow.artifacts.download_artifacts(artifact_uri=uri, dst_path=str(dst_dir)))
