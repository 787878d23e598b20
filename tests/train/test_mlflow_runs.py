"""mlflow_runs: the service looks for runs left RUNNING only when one may be there."""

from __future__ import annotations

from collections.abc import Iterator

import mlflow
import pytest
from mlflow import MlflowClient

from gourmetgram_train import mlflow_runs
from gourmetgram_train.mlflow_runs import LeftRunning, end_stale_runs, service_run

pytestmark = pytest.mark.slow
EXPERIMENT = "test-left-running"


@pytest.fixture()
def left_running(mlflow_server, monkeypatch: pytest.MonkeyPatch) -> Iterator[LeftRunning]:
    """A fresh record (as at the service's start), with runs going to the session's MLflow."""
    fresh = LeftRunning()
    monkeypatch.setattr(mlflow_runs, "LEFT_RUNNING", fresh)
    monkeypatch.setenv("MLFLOW_EXPERIMENT_NAME", EXPERIMENT)  # where start_run puts runs
    mlflow.set_tracking_uri(mlflow_server.uri)
    MlflowClient(mlflow_server.uri).create_experiment(EXPERIMENT)
    try:
        yield fresh
    finally:
        mlflow.set_tracking_uri(None)


def test_a_look_is_needed_at_start_and_after_a_run_not_seen_to_end(
    left_running: LeftRunning, mlflow_server
) -> None:
    client = MlflowClient(mlflow_server.uri)
    assert left_running.possible  # an earlier life may have left runs
    end_stale_runs(client, EXPERIMENT, "in a test")
    assert not left_running.possible

    with service_run() as run_id:
        assert left_running.possible  # until MLflow is told that it ended
    assert not left_running.possible
    assert client.get_run(run_id).info.status == "FINISHED"

    with pytest.raises(RuntimeError), service_run() as failed_id:
        raise RuntimeError("training failed")
    assert not left_running.possible  # ended FAILED, and MLflow was told
    assert client.get_run(failed_id).info.status == "FAILED"

    # A run MLflow was not told had ended (the service lost MLflow before the end).
    client.set_terminated(failed_id, "RUNNING")
    left_running.not_seen_to_end.add(failed_id)
    assert left_running.possible
    assert end_stale_runs(client, EXPERIMENT, "in a test") == {failed_id: "FAILED"}
    assert not left_running.possible
