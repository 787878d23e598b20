"""A second training service: real DATA_DIR, a failing run, and a clean SIGTERM."""

from __future__ import annotations

import os
import shutil
import signal
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest
from mlflow import MlflowClient

from gourmetgram_train.sample_data import ensure_sample_dataset
from lab.services import Service, free_port, start_training_service, stop_service

pytestmark = pytest.mark.slow
MODEL = "GourmetGramFood11Model"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A Food-11 layout folder for DATA_DIR (a copy of the sample set)."""
    sample = ensure_sample_dataset(tmp_path_factory.mktemp("cache"))
    return Path(shutil.copytree(sample, tmp_path_factory.mktemp("food11") / "food11"))


@pytest.fixture(scope="module")
def service(mlflow_server, data_dir: Path, tmp_path_factory) -> Iterator[Service]:
    """The service with DATA_DIR set and no TRIGGER_TOKEN."""
    state = tmp_path_factory.mktemp("second-train-state")
    # FORCE_COLOR as a Jupyter kernel may pass it on: the log must stay free of colour codes.
    env = {"DATA_DIR": str(data_dir), "TRIGGER_TOKEN": "", "EPOCHS": "4", "FORCE_COLOR": "1"}
    started = start_training_service(
        state, mlflow_uri=mlflow_server.uri, port=free_port(), env=env, reuse=False
    )
    yield started
    stop_service(started, state)


def test_data_dir_is_used_and_a_failed_run_ends_failed(
    service: Service, data_dir: Path, mlflow_server
) -> None:
    registry = MlflowClient(tracking_uri=mlflow_server.uri)
    with httpx.Client(base_url=service.url, timeout=120) as client:
        ok = client.post("/trigger-training")  # no token configured: no header needed
        assert ok.status_code == 200, ok.text
        params = registry.get_run(ok.json()["run_id"]).data.params
        assert params["data_source"] == str(data_dir) and params["epochs"] == "4"
        versions = len(registry.search_model_versions(f"name='{MODEL}'"))

        broken = data_dir / "evaluation" / "pizza"
        (data_dir / "evaluation" / "class_05").rename(broken)
        try:
            failed = client.post("/trigger-training")
        finally:
            broken.rename(data_dir / "evaluation" / "class_05")
        assert failed.status_code == 500
        assert "'pizza' is not a Food-11 class" in failed.json()["detail"]
        experiment = registry.get_experiment_by_name("gourmetgram-food11")
        last = registry.search_runs(
            [experiment.experiment_id], order_by=["attributes.start_time DESC"], max_results=1
        )[0]
        assert last.info.status == "FAILED"
        assert len(registry.search_model_versions(f"name='{MODEL}'")) == versions
        assert client.get("/health").json()["training_in_progress"] is False

        again = client.post("/trigger-training")  # the lock was released
        assert again.status_code == 200, again.text


def test_log_has_no_colour_codes(service: Service) -> None:
    with httpx.Client(base_url=service.url, timeout=120) as client:
        response = client.post("/trigger-training", json={"epochs": 0})
    assert response.status_code == 200, response.text
    log = service.log_path.read_text()
    assert "Task run 'train_model-" in log and "Finished in state Completed()" in log
    assert "\x1b[" not in log, [line for line in log.splitlines() if "\x1b[" in line][:3]


def test_sigterm_stops_the_service_and_its_prefect_server(service: Service) -> None:
    process = psutil.Process(service.pid)
    children = process.children(recursive=True)
    assert any("prefect" in " ".join(child.cmdline()) for child in children)
    os.kill(service.pid, signal.SIGTERM)  # what `docker stop` sends
    process.wait(timeout=30)
    _, alive = psutil.wait_procs(children, timeout=10)
    assert not alive, f"left running after SIGTERM: {[p.cmdline() for p in alive]}"
    log = service.log_path.read_text()
    assert "Uvicorn running on http://127.0.0.1:" in log
    assert "Prefect server stopped" in log
