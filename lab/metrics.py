"""A training run's accuracy on each food class, read from MLflow, as a table to read.

Read over MLflow's REST API (``lab.mlflow_rest``), so the notebook kernel that shows it does
not import the MLflow client.
"""

from __future__ import annotations

from dataclasses import dataclass

from lab.mlflow_rest import call, mlflow_http

EXPERIMENT_NAME = "gourmetgram-food11"
PREFIX = "accuracy_"  # the service logs accuracy_<class> for each class, e.g. accuracy_bread
BAR_WIDTH = 20


class NoRunError(LookupError):
    """Raised when MLflow has no run to read: none in the experiment, or no per-class metrics."""


@dataclass(frozen=True)
class ClassAccuracy:
    """One class: its name as in the metric (`noodles_pasta`) and the run's accuracy on it."""

    name: str
    accuracy: float


def class_accuracies(mlflow_uri: str, run_id: str) -> list[ClassAccuracy]:
    """The run's accuracy on each class (its accuracy_<class> metrics), worst first."""
    with mlflow_http(mlflow_uri) as http:
        run = call(http, "runs/get", run_id=run_id)
    if run is None:
        raise NoRunError(f"MLflow at {mlflow_uri} has no run {run_id}")
    metrics = run["run"].get("data", {}).get("metrics", [])
    rows = [
        ClassAccuracy(m["key"].removeprefix(PREFIX), m["value"])
        for m in metrics
        if m["key"].startswith(PREFIX)
    ]
    if not rows:
        raise NoRunError(f"run {run_id} has no {PREFIX}<class> metrics: was it evaluated?")
    return sorted(rows, key=lambda row: (row.accuracy, row.name))


def newest_run_id(mlflow_uri: str, experiment: str = EXPERIMENT_NAME) -> str:
    """The id of the newest run in the experiment, passed or failed."""
    runs: list[dict] = []
    with mlflow_http(mlflow_uri) as http:
        found = call(http, "experiments/get-by-name", experiment_name=experiment)
        if found:
            newest = {
                "experiment_ids": [found["experiment"]["experiment_id"]],
                "order_by": ["attributes.start_time DESC"],
                "max_results": 1,
            }
            runs = (call(http, "runs/search", body=newest) or {}).get("runs", [])
    if not runs:
        raise NoRunError(f"MLflow at {mlflow_uri} has no runs in experiment {experiment!r}")
    return runs[0]["info"]["run_id"]


def accuracy_table(rows: list[ClassAccuracy]) -> str:
    """The classes as a plain-text table with a bar each, in the order given."""
    width = max(len("class"), *(len(row.name) for row in rows))
    lines = [f"{'class':<{width}}  accuracy"]
    for row in rows:
        bar = "█" * round(row.accuracy * BAR_WIDTH)
        lines.append(f"{row.name:<{width}}  {row.accuracy:8.2f}  {bar}".rstrip())
    return "\n".join(lines)
