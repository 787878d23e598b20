"""Per-class accuracy of a run, read back from a real MLflow server and shown as a table."""

from __future__ import annotations

import uuid

import pytest
from mlflow.tracking import MlflowClient

from lab.metrics import ClassAccuracy, NoRunError, accuracy_table, class_accuracies, newest_run_id

LOGGED = {
    "accuracy": 0.9,
    "loss": 0.4,
    "accuracy_bread": 0.85,
    "accuracy_noodles_pasta": 0.8,
    "accuracy_egg": 1.0,
    "accuracy_dairy_product": 0.95,
}


@pytest.fixture()
def experiment(mlflow_server) -> tuple[MlflowClient, str, str]:
    """A fresh experiment on the session's MLflow server: (client, its name, its id)."""
    client = MlflowClient(tracking_uri=mlflow_server.uri)
    name = f"per-class-{uuid.uuid4().hex[:8]}"
    return client, name, client.create_experiment(name)


def log_run(client: MlflowClient, experiment_id: str, metrics: dict[str, float]) -> str:
    """A finished run with these metrics, as the training service leaves one."""
    run_id = client.create_run(experiment_id).info.run_id
    for key, value in metrics.items():
        client.log_metric(run_id, key, value)
    client.set_terminated(run_id)
    return run_id


def test_per_class_metrics_come_back_worst_first(mlflow_server, experiment) -> None:
    client, _, experiment_id = experiment
    run_id = log_run(client, experiment_id, LOGGED)
    rows = class_accuracies(mlflow_server.uri, run_id)
    assert [(row.name, row.accuracy) for row in rows] == [
        ("noodles_pasta", 0.8),
        ("bread", 0.85),
        ("dairy_product", 0.95),
        ("egg", 1.0),
    ]


def test_newest_run_is_found_whether_it_passed_or_not(mlflow_server, experiment) -> None:
    client, name, experiment_id = experiment
    with pytest.raises(NoRunError, match=name):
        newest_run_id(mlflow_server.uri, name)
    log_run(client, experiment_id, LOGGED)
    newest = log_run(client, experiment_id, {"accuracy": 0.3, "accuracy_bread": 0.1})
    assert newest_run_id(mlflow_server.uri, name) == newest
    assert class_accuracies(mlflow_server.uri, newest) == [ClassAccuracy("bread", 0.1)]


def test_a_run_without_per_class_metrics_is_named(mlflow_server, experiment) -> None:
    client, _, experiment_id = experiment
    run_id = log_run(client, experiment_id, {"accuracy": 0.5})
    with pytest.raises(NoRunError, match=run_id):
        class_accuracies(mlflow_server.uri, run_id)


def test_table_has_a_row_and_a_bar_per_class() -> None:
    rows = [ClassAccuracy("noodles_pasta", 0.8), ClassAccuracy("egg", 1.0), ClassAccuracy("x", 0)]
    lines = accuracy_table(rows).splitlines()
    assert lines[0].split() == ["class", "accuracy"]
    assert lines[1].split() == ["noodles_pasta", "0.80", "█" * 16]
    assert lines[2].split() == ["egg", "1.00", "█" * 20]
    assert lines[1].index("0.80") == lines[2].index("1.00")  # one column, whatever the name
    assert lines[3].endswith("0.00")  # no bar, and no trailing blanks
