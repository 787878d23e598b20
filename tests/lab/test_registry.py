"""lab.registry reads the model registry over MLflow's REST API, as the MLflow UI shows it."""

from __future__ import annotations

import subprocess
import sys
from datetime import UTC, datetime

import pytest
from mlflow.tracking import MlflowClient

from lab import registry
from lab.registry import RegistryError, alias_version, model_versions
from lab.services import free_port

pytestmark = pytest.mark.slow
MODEL = "RegistryViewTestModel"  # its own name on the session's shared MLflow server


@pytest.fixture(scope="module")
def uri(mlflow_server) -> str:
    """MODEL with versions 1 (accuracy 0.9, staging), 2 (no metric) and 3 (0.95, development)."""
    client = MlflowClient(tracking_uri=mlflow_server.uri)
    experiment = client.create_experiment("registry-view")
    client.create_registered_model(MODEL)
    for accuracy in (0.9, None, 0.95):
        run = client.create_run(experiment)
        if accuracy is not None:
            client.log_metric(run.info.run_id, "accuracy", accuracy)
        client.set_terminated(run.info.run_id)
        client.create_model_version(MODEL, source=run.info.artifact_uri, run_id=run.info.run_id)
    client.set_registered_model_alias(MODEL, "staging", "1")
    client.set_registered_model_alias(MODEL, "development", "3")
    return mlflow_server.uri


def test_versions_newest_first_with_aliases_and_accuracy(uri: str) -> None:
    rows = model_versions(uri, MODEL)
    assert [(r.version, r.aliases, r.accuracy) for r in rows] == [
        (3, ("development",), 0.95),
        (2, (), None),
        (1, ("staging",), 0.9),
    ]
    client = MlflowClient(tracking_uri=uri)
    for row in rows:
        version = client.get_model_version(MODEL, str(row.version))
        assert row.run_id == version.run_id
        expected = datetime.fromtimestamp(version.creation_timestamp / 1000, tz=UTC)
        assert row.created == expected
    assert alias_version(uri, "staging", MODEL) == 1
    assert alias_version(uri, "production", MODEL) is None


def test_every_page_of_versions_is_read(uri: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(registry, "PAGE_SIZE", 1)
    assert [r.version for r in model_versions(uri, MODEL)] == [3, 2, 1]


def test_a_model_that_is_not_registered_has_no_versions(uri: str) -> None:
    assert model_versions(uri, "NoSuchModel") == []


def test_an_mlflow_that_does_not_answer_is_named() -> None:
    address = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(RegistryError, match=f"MLflow at {address} cannot be reached"):
        model_versions(address, MODEL)


def test_reading_the_registry_does_not_import_the_mlflow_client() -> None:
    """A notebook kernel that shows the registry stays small and starts fast."""
    code = "import sys, lab.notebook, lab.registry, lab.metrics; print('mlflow' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True
    )
    assert done.stdout.strip() == "False"
