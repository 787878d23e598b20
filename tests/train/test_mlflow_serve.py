"""lab.services.mlflow_serve: the lab's MLflow server is one process, the one it records."""

from __future__ import annotations

import gc
from pathlib import Path

import httpx
import mlflow.server
import psutil
import pytest

from lab.services import free_port, start_mlflow_server, stop_service
from lab.services.mlflow_serve import MlflowLaunchError, main

pytestmark = pytest.mark.slow


def test_the_recorded_process_is_the_web_server_and_stopping_it_stops_mlflow(
    tmp_path: Path,
) -> None:
    service = start_mlflow_server(tmp_path, port=free_port(), reuse=False)
    try:
        process = psutil.Process(service.pid)
        assert "lab.services.mlflow_serve" in process.cmdline(), process.cmdline()
        assert process.children(recursive=True) == [], "no `mlflow server` parent, no workers"
        answer = httpx.get(f"{service.url}/api/2.0/mlflow/experiments/search?max_results=1")
        assert answer.status_code == 200, answer.text
    finally:
        stop_service(service, tmp_path)
    assert not service.is_running()


def test_an_mlflow_that_starts_its_server_otherwise_is_named(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.delattr(mlflow.server, "_exec_cmd")
    with pytest.raises(MlflowLaunchError, match=r"start it with `python -m mlflow server`"):
        main(["--port", "1"])
    assert gc.isenabled()  # the start-up's pause (startup_gc) ends with the failed start
    gc.unfreeze()
