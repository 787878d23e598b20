"""Helpers for the fault tests: services to kill, triggers in the background, a hung server."""

from __future__ import annotations

import os
import re
import signal
import time
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from contextlib import contextmanager
from pathlib import Path

import httpx
from mlflow import MlflowClient
from mlflow.entities import Run
from mlflow.exceptions import MlflowException

from lab.services import Service, free_port, start_training_service, stop_service

MODEL = "GourmetGramFood11Model"
EXPERIMENT = "gourmetgram-food11"
POLL_S = 0.02
_background = ThreadPoolExecutor(max_workers=4, thread_name_prefix="trigger")


@contextmanager
def own_training_service(state_dir: Path, mlflow_uri: str, **env: str) -> Iterator[Service]:
    """The training service (no token) on a free port; stopped at the end if still running."""
    service = start_training_service(
        state_dir,
        mlflow_uri=mlflow_uri,
        port=free_port(),
        env={"TRIGGER_TOKEN": "", **env},
        reuse=False,
    )
    try:
        yield service
    finally:
        stop_service(service, state_dir)


def trigger_in_background(service: Service, epochs: int) -> Future[httpx.Response]:
    """POST /trigger-training with `epochs` in another thread; the future holds the answer."""

    def post() -> httpx.Response:
        return httpx.post(f"{service.url}/trigger-training", json={"epochs": epochs}, timeout=300)

    return _background.submit(post)


def wait_for_line(service: Service, pattern: str, timeout_s: float = 120) -> None:
    """Wait until the service's log has a line matching `pattern`, looking every 20 ms."""
    regex = re.compile(pattern)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if regex.search(service.log_path.read_text(errors="replace")):
            return
        time.sleep(POLL_S)
    raise TimeoutError(f"no line matching {pattern!r} in {service.log_path} in {timeout_s} s")


def wait_for_exit(service: Service, timeout_s: float) -> float:
    """Wait until the service's process has exited; return the seconds it took."""
    start = time.monotonic()
    while service.is_running():
        if time.monotonic() - start > timeout_s:
            raise TimeoutError(f"{service.name} still runs {timeout_s} s later")
        time.sleep(POLL_S)
    return time.monotonic() - start


@contextmanager
def hung(server: Service) -> Iterator[None]:
    """Freeze a server's processes (SIGSTOP): connections are accepted, nothing answers."""
    os.killpg(server.pid, signal.SIGSTOP)
    try:
        yield
    finally:
        os.killpg(server.pid, signal.SIGCONT)


def latest_run(client: MlflowClient) -> Run:
    """The most recent run of the service's experiment."""
    experiment = client.get_experiment_by_name(EXPERIMENT)
    (run,) = client.search_runs(
        [experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1
    )
    return run


def registry_state(client: MlflowClient) -> tuple[int, str | None]:
    """(the number of versions, the version `development` points at)."""
    versions = len(client.search_model_versions(f"name='{MODEL}'"))
    try:
        alias = client.get_model_version_by_alias(MODEL, "development").version
    except MlflowException:  # no model or no alias yet
        alias = None
    return versions, alias


def health(service: Service) -> dict:
    """GET /health's JSON."""
    return httpx.get(f"{service.url}/health", timeout=10).json()
