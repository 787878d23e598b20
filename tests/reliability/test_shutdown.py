"""SIGTERM (`docker stop`) during a run: the answer matches the registry, and the service
exits within docker's 10 s grace period."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import pytest
from mlflow import MlflowClient

from tests.reliability.faults import (
    hung,
    latest_run,
    own_training_service,
    registry_state,
    trigger_in_background,
    wait_for_exit,
    wait_for_line,
)

pytestmark = pytest.mark.slow
#: `docker stop` sends SIGTERM, then SIGKILL this much later.
DOCKER_STOP_GRACE_S = 10


def test_sigterm_while_training_cancels_the_run_and_answers_503(
    mlflow_server, train_state: Path
) -> None:
    registry = MlflowClient(mlflow_server.uri, mlflow_server.uri)
    with own_training_service(train_state, mlflow_server.uri) as service:
        before = registry_state(registry)
        answer = trigger_in_background(service, epochs=200)  # about a minute of training
        wait_for_line(service, r"epoch 2/200")
        os.kill(service.pid, signal.SIGTERM)  # what `docker stop` sends to the container
        wait_for_exit(service, DOCKER_STOP_GRACE_S)
        response = answer.result(timeout=10)
    assert response.status_code == 503, response.text
    assert "the service is stopping (SIGTERM)" in response.json()["detail"]
    assert "nothing was registered" in response.json()["detail"]
    run = latest_run(registry)
    assert run.info.status == "FAILED"
    assert "cancelled while training" in run.data.tags["gourmetgram.end_reason"]
    assert len(registry.get_metric_history(run.info.run_id, "train_loss")) < 200
    assert registry_state(registry) == before


def test_sigterm_once_registration_started_lets_the_run_finish(
    mlflow_server, train_state: Path
) -> None:
    registry = MlflowClient(mlflow_server.uri, mlflow_server.uri)
    with own_training_service(train_state, mlflow_server.uri) as service:
        versions, _ = registry_state(registry)
        answer = trigger_in_background(service, epochs=5)
        wait_for_line(service, r"registering the model")
        # Hold MLflow still, so that SIGTERM surely arrives while the run registers.
        with hung(mlflow_server.service):
            os.kill(service.pid, signal.SIGTERM)
            time.sleep(1)
            assert not answer.done(), "the run finished before SIGTERM: nothing was tested"
        wait_for_exit(service, DOCKER_STOP_GRACE_S)
        response = answer.result(timeout=10)
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "registered"
    assert registry_state(registry) == (versions + 1, body["new_model_version"])
    assert registry.get_run(body["run_id"]).info.status == "FINISHED"
