"""lab.mlflow_rest against a real MLflow server: answers, 404 as None, clear errors."""

from __future__ import annotations

import uuid

import pytest

from lab.mlflow_rest import MlflowRestError, call, mlflow_http
from lab.services import free_port

pytestmark = pytest.mark.slow


def test_get_and_post_answer_json_and_a_missing_thing_is_none(mlflow_server) -> None:
    name = f"rest-{uuid.uuid4().hex[:8]}"
    with mlflow_http(mlflow_server.uri + "/") as http:
        assert call(http, "experiments/get-by-name", experiment_name=name) is None
        created = call(http, "experiments/create", body={"name": name})
        assert created is not None
        found = call(http, "experiments/get-by-name", experiment_name=name)
        assert found is not None
        assert found["experiment"]["experiment_id"] == created["experiment_id"]


def test_a_refused_question_says_what_mlflow_answered(mlflow_server) -> None:
    with mlflow_http(mlflow_server.uri) as http, pytest.raises(MlflowRestError, match="HTTP 400"):
        call(http, "runs/search", body={"experiment_ids": ["0"], "max_results": -5})


def test_an_mlflow_that_does_not_answer_is_named() -> None:
    address = f"http://127.0.0.1:{free_port()}"
    with mlflow_http(address) as http, pytest.raises(MlflowRestError, match="cannot be reached"):
        call(http, "experiments/get-by-name", experiment_name="x")
