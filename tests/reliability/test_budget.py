"""The MLflow budget against a server that accepts connections and never answers."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
import torch
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException

from gourmetgram_train.budget import BudgetSpentError, MlflowBudget, mlflow_budget
from gourmetgram_train.data import Split
from gourmetgram_train.model import build_model
from gourmetgram_train.stopping import ServiceStopping, check_stop, clear_stop, request_stop
from gourmetgram_train.training import fit

#: Without the budget one call takes 3 attempts × MLFLOW_HTTP_REQUEST_TIMEOUT (30 s here).
WAIT_AT_MOST_S = 20


@pytest.fixture
def silent_server(monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A TCP server that accepts connections into its backlog and never answers: hung."""
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_TIMEOUT", "30")
    monkeypatch.setenv("MLFLOW_HTTP_REQUEST_MAX_RETRIES", "2")
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(64)
        yield f"http://127.0.0.1:{server.getsockname()[1]}"


def search_within(uri: str, seconds: float) -> tuple[Exception | None, Exception | None, float]:
    """Two MLflow calls inside one budget: what each raised, and what was left after."""
    client = MlflowClient(uri)
    errors: list[Exception | None] = []
    with mlflow_budget(seconds) as budget:
        for _ in range(2):
            try:
                client.search_experiments()
                errors.append(None)
            except MlflowException as exc:
                errors.append(exc)
        return errors[0], errors[1], budget.left()


def test_calls_to_a_hung_server_share_one_budget(silent_server: str) -> None:
    with ThreadPoolExecutor(1) as pool:
        first, second, left = pool.submit(search_within, silent_server, 2.0).result(WAIT_AT_MOST_S)
    assert first is not None and second is not None
    assert "budget for MLflow requests is spent" in str(second)
    assert left <= 0


def test_budget_limits_and_charges() -> None:
    budget = MlflowBudget(10)
    assert budget.limit(3) == 3
    with budget.charged():
        pass
    assert 0 < budget.left() <= 10
    budget.spent = 10
    assert budget.exhausted
    with pytest.raises(BudgetSpentError, match="the 10 s budget for MLflow requests is spent"):
        budget.limit(3)


def test_a_stop_request_shortens_the_budget() -> None:
    budget = MlflowBudget(60)
    request_stop()
    try:
        assert budget.left() <= 4  # stopping.STOP_GRACE_S
        with pytest.raises(ServiceStopping, match="cancelled while training"):
            check_stop("while training")
    finally:
        clear_stop()
    assert budget.left() > 50


def test_fit_stops_where_its_batch_hook_raises() -> None:
    data = Split(torch.randn(40, 3, 8, 8), torch.randint(0, 11, (40,)))
    calls = []

    def hook() -> None:
        calls.append(1)
        if len(calls) == 3:
            raise ServiceStopping("stop")

    epochs_done = []
    with pytest.raises(ServiceStopping):
        fit(
            build_model(11, seed=0),
            data,
            epochs=5,
            batch_size=10,
            learning_rate=0.01,
            seed=0,
            device=torch.device("cpu"),
            on_epoch=lambda epoch, loss: epochs_done.append(epoch),
            before_batch=hook,
        )
    assert len(calls) == 3 and epochs_done == []  # stopped inside the first epoch
