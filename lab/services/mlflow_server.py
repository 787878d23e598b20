"""Start the MLflow tracking server lean: one worker, no job runner, sqlite, served artifacts."""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from pathlib import Path

from lab.db_templates import MLFLOW, seed_database
from lab.services.process import Service, find_service, launch, until_ready, wait_for_http

MLFLOW_NAME = "mlflow"


def mlflow_server_command(
    store_dir: Path, host: str, port: int, allowed_hosts: Sequence[str] = ()
) -> list[str]:
    """The `mlflow server` command line: sqlite store and artifacts served from store_dir.

    It runs through :mod:`lab.services.mlflow_serve`, so that one process, importing MLflow
    once, is the web server (no `mlflow server` parent that only waits for it).
    """
    args = [
        sys.executable,
        "-m",
        "lab.services.mlflow_serve",
        "--backend-store-uri",
        f"sqlite:///{store_dir / MLFLOW.db_name}",
        "--artifacts-destination",
        str(store_dir / "artifacts"),
        "--workers",
        "1",
        "--host",
        host,
        "--port",
        str(port),
    ]
    if allowed_hosts:
        args += ["--allowed-hosts", ",".join(allowed_hosts)]
    return args


def mlflow_server_env() -> dict[str, str]:
    """The environment for a lean server: no job workers, no telemetry."""
    return {
        **os.environ,
        "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "false",
        "MLFLOW_DISABLE_TELEMETRY": "true",
    }


def start_mlflow_server(
    state_dir: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    allowed_hosts: Sequence[str] = (),
    name: str = MLFLOW_NAME,
    reuse: bool = True,
    timeout_s: float = 120,
) -> Service:
    """Start MLflow with its store in state_dir/<name> and wait for /health; reuse a running one."""
    if reuse and (running := find_service(name, state_dir)) is not None:
        wait_for_http(running, "/health", timeout_s)
        return running
    store_dir = state_dir / name
    store_dir.mkdir(parents=True, exist_ok=True)
    # A fresh store starts from the empty database setup migrated (an existing one is kept).
    seed_database(store_dir / MLFLOW.db_name, MLFLOW.path())
    service = launch(
        name,
        mlflow_server_command(store_dir, host, port, allowed_hosts),
        state_dir=state_dir,
        url=f"http://{host}:{port}",
        port=port,
        host=host,
        env=mlflow_server_env(),
    )
    return until_ready(service, state_dir, lambda s: wait_for_http(s, "/health", timeout_s))
