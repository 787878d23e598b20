"""The training service's settings: environment variables read once into a pydantic object."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


class ConfigurationError(RuntimeError):
    """Raised when an environment variable is missing or has a value the service cannot use."""


class Settings(BaseSettings):
    """Everything the service reads from its environment (variable = field name, upper case)."""

    model_config = SettingsConfigDict(case_sensitive=False, extra="ignore")

    mlflow_tracking_uri: str = Field(
        description="MLflow tracking and registry server, e.g. http://A.B.C.D:8000/"
    )
    trigger_token: SecretStr | None = Field(
        default=None, description="If set, POST /trigger-training needs 'Authorization: Bearer …'"
    )
    data_dir: Path | None = Field(
        default=None,
        description="Food-11 layout (training/ validation/ evaluation/); unset: generated sample",
    )
    accuracy_threshold: float = Field(default=0.80, ge=0.0, le=1.0)
    model_name: str = Field(default="GourmetGramFood11Model", min_length=1)
    mlflow_experiment_name: str = Field(default="gourmetgram-food11", min_length=1)
    host: str = "0.0.0.0"
    port: int = Field(default=8000, ge=1, le=65535)
    state_dir: Path = Field(
        default=Path.home() / ".gourmetgram-train",
        description="Prefect's database and logs, and the generated sample data set",
    )
    # 4: a fifth epoch leaves the default run's accuracy where it is (0.918; train/README.md)
    epochs: int = Field(default=4, ge=0, le=200)
    batch_size: int = Field(default=64, ge=1, le=4096)
    learning_rate: float = Field(default=0.005, gt=0.0, le=1.0)
    seed: int = 42
    image_size: int = Field(default=32, ge=8, le=512)
    max_images_per_class: int | None = Field(
        default=None, ge=1, description="Cap per class and split when reading DATA_DIR"
    )
    device: Literal["auto", "cpu", "cuda"] = "auto"
    torch_threads: int = Field(
        default=2,
        ge=1,
        le=256,
        description="CPU threads for training: 2 trains the sample set about 1.6 times as "
        "fast as 1 (bench/bench_train.py), with the same result; more gain little on the "
        "small model and slow it down when other processes share the cores",
    )
    mlflow_timeout_s: float = Field(
        default=5.0, gt=0.0, le=60.0, description="How long to wait for MLflow's /health"
    )
    mlflow_budget_s: float = Field(
        default=15.0,
        gt=0.0,
        le=600.0,
        description="How long one trigger may wait on MLflow in all, over all its requests "
        "(training time is not counted): a hung server gets a 503 after this long",
    )

    @field_validator("mlflow_tracking_uri")
    @classmethod
    def _uri_not_blank(cls, value: str) -> str:
        """Reject an empty URI, which MLflow would silently treat as a local ./mlruns folder."""
        if not value.strip():
            raise ValueError("is empty")
        return value.strip()


def load_settings() -> Settings:
    """Read the settings from the environment; raise ConfigurationError naming what to fix."""
    try:
        return Settings()
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            name = str(error["loc"][0]).upper() if error["loc"] else "?"
            if error["type"] == "missing":
                problems.append(f"{name} is not set")
            else:
                problems.append(f"{name}={error.get('input')!r}: {error['msg']}")
        hint = ""
        if any(p.startswith("MLFLOW_TRACKING_URI") for p in problems):
            hint = (
                " Set MLFLOW_TRACKING_URI to your MLflow server, e.g. "
                "`-e MLFLOW_TRACKING_URI=http://A.B.C.D:8000/` for docker run."
            )
        raise ConfigurationError("; ".join(problems) + "." + hint) from None


@lru_cache
def get_settings() -> Settings:
    """The service's settings, read once (tests clear the cache with get_settings.cache_clear)."""
    return load_settings()
