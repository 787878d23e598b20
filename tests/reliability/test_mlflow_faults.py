"""MLflow hung, down, or the service killed mid-run: honest answers, no run left RUNNING."""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from mlflow import MlflowClient

from lab.services import Service, free_port
from tests.reliability.faults import (
    health,
    hung,
    latest_run,
    own_training_service,
    registry_state,
    trigger_in_background,
    wait_for_exit,
    wait_for_line,
)

pytestmark = pytest.mark.slow
#: MLFLOW_BUDGET_S, the time a trigger may wait on MLflow in all, for these services.
BUDGET_S = 8
#: How long an answer may take once MLflow hangs: the budget and the rest of the training.
#: Before the budget, retries and per-request timeouts made it 206 s.
ANSWER_WITHIN_S = 60


def wait_for_health(service: Service, status: str, timeout_s: float = 30) -> dict:
    """Poll /health until its status is `status`; return its JSON."""
    deadline = time.monotonic() + timeout_s
    while (answer := health(service))["status"] != status:
        if time.monotonic() > deadline:
            raise TimeoutError(f"/health stayed {answer}")
        time.sleep(0.2)
    return answer


@pytest.fixture(scope="module")
def service(mlflow_server, train_state: Path) -> Iterator[Service]:
    """A service for this module, with a short MLflow budget; the last test kills it."""
    with own_training_service(
        train_state, mlflow_server.uri, MLFLOW_BUDGET_S=str(BUDGET_S)
    ) as started:
        yield started


def test_hung_mlflow_mid_run_is_503_within_the_budget(service: Service, mlflow_server) -> None:
    registry = MlflowClient(mlflow_server.uri, mlflow_server.uri)
    before = registry_state(registry)
    answer = trigger_in_background(service, epochs=10)
    wait_for_line(service, r"epoch 2/10")
    with hung(mlflow_server.service):
        response = answer.result(timeout=ANSWER_WITHIN_S)
        during = wait_for_health(service, "degraded")
        assert health(service)["training_in_progress"] is False  # the lock is free
    assert response.status_code == 503, response.text
    detail = response.json()["detail"]
    assert f"MLflow at {mlflow_server.uri} did not answer within {BUDGET_S} s" in detail
    assert "MLFLOW_BUDGET_S" in detail and "nothing was registered" in detail.lower()
    assert during["mlflow_reachable"] is False and mlflow_server.uri in during["problem"]
    hung_run = latest_run(registry)
    assert hung_run.info.status == "RUNNING"  # MLflow could not be told

    assert wait_for_health(service, "ok")["mlflow_reachable"] is True
    again = httpx.post(f"{service.url}/trigger-training", json={"epochs": 5}, timeout=120)
    assert again.status_code == 200, again.text
    assert registry_state(registry)[0] == before[0] + 1
    ended = registry.get_run(hung_run.info.run_id)
    assert ended.info.status == "FAILED"
    assert "marked FAILED before the next run" in ended.data.tags["gourmetgram.end_reason"]


def test_runs_of_a_killed_service_are_failed_at_the_next_start(
    service: Service, mlflow_server, train_state: Path
) -> None:
    registry = MlflowClient(mlflow_server.uri, mlflow_server.uri)
    answer = trigger_in_background(service, epochs=200)
    wait_for_line(service, r"epoch 2/200")
    os.kill(service.pid, signal.SIGKILL)
    wait_for_exit(service, 10)
    assert isinstance(answer.exception(timeout=10), httpx.TransportError)
    killed = latest_run(registry)
    assert killed.info.status == "RUNNING"

    with own_training_service(train_state, mlflow_server.uri) as restarted:
        wait_for_line(restarted, r"ended 1 run\(s\) left RUNNING when the service started")
        ended = registry.get_run(killed.info.run_id)
        assert ended.info.status == "FAILED"
        assert "killed or lost MLflow" in ended.data.tags["gourmetgram.end_reason"]
        assert health(restarted)["status"] == "ok"


def test_health_names_an_mlflow_that_is_down() -> None:
    from gourmetgram_train.tracking import MlflowProbe  # what /health asks

    uri = f"http://127.0.0.1:{free_port()}"  # nothing listens: connections are refused
    probe = MlflowProbe(uri, timeout_s=1.0, ttl_s=0.0)
    assert f"MLflow at {uri} cannot be reached" in (probe.problem() or "")
