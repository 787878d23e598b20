"""Shared fixtures: one real MLflow server per session, the real training service, and the
test process's garbage collector restored after the start-up helpers' tests."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from lab.services import (
    Service,
    free_port,
    start_mlflow_server,
    start_training_service,
    stop_service,
)

TRIGGER_TOKEN = "test-token"


@dataclass
class MlflowServer:
    """A lean `mlflow server` on a free loopback port (sqlite store, served artifacts)."""

    state_dir: Path
    port: int = field(default_factory=free_port)
    service: Service | None = None

    @property
    def uri(self) -> str:
        """The tracking and registry URI."""
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        """Start it (again, on the same port and store) and wait for /health."""
        self.service = start_mlflow_server(self.state_dir, port=self.port, reuse=False)

    def stop(self) -> None:
        """Stop it by PID, with its process group."""
        if self.service is not None:
            stop_service(self.service, self.state_dir)
            self.service = None


@dataclass
class TrainingService:
    """The training service under uvicorn, started as its image starts it."""

    service: Service
    token: str

    @property
    def url(self) -> str:
        """Base URL of the service."""
        return self.service.url

    def client(self, timeout_s: float = 120) -> httpx.Client:
        """An HTTP client that sends the trigger token."""
        headers = {"Authorization": f"Bearer {self.token}"}
        return httpx.Client(base_url=self.url, headers=headers, timeout=timeout_s)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[MlflowServer]:
    """A real MLflow server for the whole session."""
    server = MlflowServer(tmp_path_factory.mktemp("mlflow-state"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def training_service(
    mlflow_server: MlflowServer, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[TrainingService]:
    """`python -m gourmetgram_train` on a free port, talking to the session's MLflow server."""
    state = tmp_path_factory.mktemp("train-state")
    service = start_training_service(
        state,
        mlflow_uri=mlflow_server.uri,
        port=free_port(),
        env={"TRIGGER_TOKEN": TRIGGER_TOKEN},
        reuse=False,
    )
    try:
        yield TrainingService(service, TRIGGER_TOKEN)
    finally:
        stop_service(service, state)


@pytest.fixture()
def collector_restored() -> Iterator[None]:
    """Leave the test process's collector as it was: enabled, nothing frozen."""
    yield
    gc.unfreeze()
    gc.enable()
