"""Start the gourmetgram-train service locally with the same command as its container image."""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path

import httpx

from lab.data_template import seed_sample_data
from lab.db_templates import seed_prefect_home
from lab.paths import repo_root
from lab.services.process import (
    Service,
    find_service,
    launch,
    until_ready,
    wait_for_http,
    wait_for_log_line,
)

TRAIN_NAME = "gourmetgram-train"
# The image's CMD (train/Dockerfile); locally "python" is this interpreter, cwd is train/.
TRAIN_COMMAND: tuple[str, ...] = ("python", "-m", "gourmetgram_train")
READY_LINE = r"Uvicorn running on http://"


def sees_mlflow(health: httpx.Response) -> bool:
    """Whether the service's /health answer says that it reaches MLflow."""
    return health.json().get("mlflow_reachable") is True


def training_service_env(
    state_dir: Path, mlflow_uri: str, host: str, port: int, extra: Mapping[str, str] | None
) -> dict[str, str]:
    """The service's environment: ours plus MLflow, address, state folder and any extras."""
    return {
        **os.environ,
        "MLFLOW_TRACKING_URI": mlflow_uri,
        "HOST": host,
        "PORT": str(port),
        "STATE_DIR": str(state_dir / "train-state"),
        "GIT_PYTHON_REFRESH": "quiet",
        "PYTHONUNBUFFERED": "1",
        **(extra or {}),
    }


def start_training_service(
    state_dir: Path,
    *,
    mlflow_uri: str,
    host: str = "127.0.0.1",
    port: int = 9090,
    env: Mapping[str, str] | None = None,
    name: str = TRAIN_NAME,
    train_dir: Path | None = None,
    python: Path | None = None,
    reuse: bool = True,
    timeout_s: float = 180,
) -> Service:
    """Start `python -m gourmetgram_train` in train/, wait for its Uvicorn line and /health.

    `python` is the interpreter to run it with (default: this one), e.g. a venv with only
    train/requirements.txt installed, as in the image. With this one, a fresh state gets a
    copy of the migrated empty Prefect database that setup made, as the image has one, and
    of the sample data set that setup generated.
    """
    if reuse and (running := find_service(name, state_dir)) is not None:
        wait_for_http(running, "/health", timeout_s)
        return running
    service_env = training_service_env(state_dir, mlflow_uri, host, port, env)
    if python is None:
        seed_prefect_home(Path(service_env["STATE_DIR"]))
        if not service_env.get("DATA_DIR"):
            seed_sample_data(Path(service_env["STATE_DIR"]))
    service = launch(
        name,
        [str(python or sys.executable), *TRAIN_COMMAND[1:]],
        state_dir=state_dir,
        url=f"http://{host}:{port}",
        port=port,
        host=host,
        env=service_env,
        cwd=train_dir or repo_root() / "train",
    )

    def ready(started: Service) -> None:
        wait_for_log_line(started, READY_LINE, timeout_s)
        wait_for_http(started, "/health", timeout_s)

    return until_ready(service, state_dir, ready)
