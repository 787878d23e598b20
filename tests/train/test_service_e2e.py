"""The real training service against a real MLflow server: triggers, gate, lock, token, outage."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import mlflow
import mlflow.pytorch
import numpy as np
import pytest
import torch
from mlflow import MlflowClient
from mlflow.exceptions import MlflowException
from PIL import Image

from gourmetgram_train.config import Settings
from gourmetgram_train.data import FOOD11_CLASSES, load_food11
from gourmetgram_train.sample_data import ensure_sample_dataset

pytestmark = pytest.mark.slow
MODEL = "GourmetGramFood11Model"
DEFAULT_EPOCHS = Settings.model_fields["epochs"].default


def latest_version(client: MlflowClient) -> int:
    """Highest registered version number (0 when none)."""
    try:
        versions = client.search_model_versions(f"name='{MODEL}'")
    except MlflowException:
        return 0
    return max((int(v.version) for v in versions), default=0)


def alias_version(client: MlflowClient, alias: str = "development") -> str | None:
    """The version an alias points at, or None."""
    try:
        return client.get_model_version_by_alias(MODEL, alias).version
    except MlflowException:
        return None


@pytest.fixture()
def registry(mlflow_server) -> MlflowClient:
    """An MLflow client for the session's server."""
    return MlflowClient(tracking_uri=mlflow_server.uri, registry_uri=mlflow_server.uri)


def test_each_trigger_registers_the_next_version_and_moves_the_alias(
    training_service, mlflow_server, registry: MlflowClient
) -> None:
    before = latest_version(registry)
    with training_service.client() as client:
        first = client.post("/trigger-training")
        assert first.status_code == 200, first.text
        assert first.json()["new_model_version"] == str(before + 1)
        assert alias_version(registry) == str(before + 1)
        second = client.post("/trigger-training", json={})
    assert second.status_code == 200, second.text
    body = second.json()
    assert body["status"] == "registered"
    assert body["new_model_version"] == str(before + 2)
    assert alias_version(registry) == str(before + 2)
    # The default run on the sample set: realistic, above the gate, the same every time.
    assert 0.85 <= body["metrics"]["accuracy"] <= 0.95
    assert body["metrics"] == first.json()["metrics"]

    run = registry.get_run(body["run_id"])
    assert run.info.status == "FINISHED"
    assert run.data.tags["gate"] == "passed"
    # The service logs the run's page as it starts (MLflow's own link would cost a request).
    log = training_service.service.log_path.read_text()
    page = f"{mlflow_server.uri}/#/experiments/{run.info.experiment_id}/runs/{body['run_id']}"
    assert f"MLflow run {run.info.run_name}: {page}" in log
    assert "View run" not in log
    assert run.data.params["epochs"] == str(DEFAULT_EPOCHS)
    assert run.data.params["model"] == "SmallCNN"
    assert run.data.metrics["accuracy"] == pytest.approx(body["metrics"]["accuracy"])
    per_class = {k for k in run.data.metrics if k.startswith("accuracy_")}
    assert len(per_class) == 11 and "accuracy_noodles_pasta" in per_class
    assert len(registry.get_metric_history(body["run_id"], "train_loss")) == DEFAULT_EPOCHS
    assert run.data.params["accuracy_threshold"] == "0.8"
    version = registry.get_model_version(MODEL, body["new_model_version"])
    assert version.run_id == body["run_id"]
    # The logged model carries the run's parameters and its evaluation metrics.
    logged = registry.get_logged_model(version.source.removeprefix("models:/"))
    assert logged.params["epochs"] == str(DEFAULT_EPOCHS) and logged.params["data_source"]
    model_metrics = {m.key: m.value for m in logged.metrics}
    assert model_metrics["accuracy"] == pytest.approx(body["metrics"]["accuracy"])
    assert len([k for k in model_metrics if k.startswith("accuracy_")]) == 11
    artifacts = {a.path for a in registry.list_artifacts(body["run_id"], "serving")}
    assert artifacts == {"serving/model.pt2", "serving/metadata.json"}


def test_after_a_run_that_ended_the_next_trigger_does_not_look_for_runs_left_running(
    training_service, mlflow_server
) -> None:
    log = mlflow_server.service.log_path
    with training_service.client() as client:
        assert client.post("/trigger-training", json={"epochs": 0}).status_code == 200
        seen = len(log.read_text().splitlines())
        assert client.post("/trigger-training", json={"epochs": 0}).status_code == 200
    requests = log.read_text().splitlines()[seen:]
    assert any("/runs/create" in line for line in requests)
    assert not any("/runs/search" in line for line in requests)


def test_failing_gate_registers_nothing(training_service, registry: MlflowClient) -> None:
    before, alias_before = latest_version(registry), alias_version(registry)
    with training_service.client() as client:
        response = client.post("/trigger-training", json={"epochs": 0})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["new_model_version"] is None and body["status"] == "rejected"
    assert body["metrics"]["accuracy"] < 0.2  # an untrained model: about 1/11
    assert "below ACCURACY_THRESHOLD" in body["message"]
    assert latest_version(registry) == before
    assert alias_version(registry) == alias_before
    run = registry.get_run(body["run_id"])
    assert run.info.status == "FINISHED" and run.data.tags["gate"] == "failed"


def test_one_epoch_fails_the_gate(training_service, registry: MlflowClient) -> None:
    before = latest_version(registry)
    with training_service.client() as client:
        response = client.post("/trigger-training", json={"epochs": 1})
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["status"] == "rejected" and body["new_model_version"] is None
    assert 0.2 < body["metrics"]["accuracy"] < 0.6  # trained, but far too little
    assert latest_version(registry) == before


def test_bad_body_is_refused(training_service) -> None:
    with training_service.client() as client:
        assert client.post("/trigger-training", json={"epochs": -1}).status_code == 422
        assert client.post("/trigger-training", json={"epoch": 3}).status_code == 422


def test_concurrent_triggers_get_one_run_and_nine_423(
    training_service, registry: MlflowClient
) -> None:
    before = latest_version(registry)
    barrier = threading.Barrier(10)
    answers: list[httpx.Response] = []

    def trigger() -> None:
        with training_service.client() as client:
            barrier.wait()
            answers.append(client.post("/trigger-training"))

    threads = [threading.Thread(target=trigger) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    codes = sorted(answer.status_code for answer in answers)
    assert codes == [200] + [423] * 9
    assert "already in progress" in next(a for a in answers if a.status_code == 423).text
    assert latest_version(registry) == before + 1
    with training_service.client() as client:
        assert client.get("/health").json()["training_in_progress"] is False


def test_token_is_required_when_set(training_service) -> None:
    with httpx.Client(base_url=training_service.url, timeout=30) as client:
        missing = client.post("/trigger-training")
        wrong = client.post("/trigger-training", headers={"Authorization": "Bearer nope"})
        assert client.get("/health").status_code == 200  # health needs no token
    for response in (missing, wrong):
        assert response.status_code == 401
        assert "TRIGGER_TOKEN" in response.json()["detail"]
        assert response.headers["www-authenticate"] == "Bearer"


def test_mlflow_down_answers_503_then_recovers(
    training_service, mlflow_server, registry: MlflowClient
) -> None:
    mlflow_server.stop()
    try:
        with training_service.client() as client:
            start = time.monotonic()
            response = client.post("/trigger-training")
            elapsed = time.monotonic() - start
        assert response.status_code == 503
        assert elapsed < 10
        assert f"MLflow at {mlflow_server.uri} cannot be reached" in response.json()["detail"]
    finally:
        mlflow_server.start()
    before = latest_version(registry)
    with training_service.client() as client:
        response = client.post("/trigger-training")
    assert response.status_code == 200, response.text
    assert response.json()["new_model_version"] == str(before + 1)


def test_registered_model_and_serving_artifact_load_and_predict(
    training_service, mlflow_server, tmp_path: Path
) -> None:
    with training_service.client() as client:
        assert client.post("/trigger-training").status_code == 200
    data_root = ensure_sample_dataset(tmp_path / "data")  # the same seed and size as the service
    data = load_food11(data_root, image_size=32)
    images = data.evaluation.images
    mlflow.set_tracking_uri(mlflow_server.uri)
    try:
        model = mlflow.pytorch.load_model(f"models:/{MODEL}@development")
        version = MlflowClient().get_model_version_by_alias(MODEL, "development")
        serving = Path(
            mlflow.artifacts.download_artifacts(
                run_id=version.run_id, artifact_path="serving", dst_path=str(tmp_path)
            )
        )
    finally:
        mlflow.set_tracking_uri(None)
    with torch.no_grad():
        mlflow_logits = model(images)
    accuracy = (mlflow_logits.argmax(1) == data.evaluation.labels).float().mean().item()
    assert accuracy >= 0.80

    metadata = json.loads((serving / "metadata.json").read_text())
    assert metadata["format"] == "torch.export"
    assert metadata["classes"] == list(FOOD11_CLASSES)
    assert metadata["image_size"] == 32 and metadata["run_id"] == version.run_id
    assert metadata["model_name"] == MODEL
    assert (metadata["mean"], metadata["std"]) == (list(data.mean), list(data.std))
    program = torch.export.load(serving / "model.pt2").module()
    with torch.no_grad():
        assert torch.allclose(program(images), mlflow_logits, atol=1e-4)
        # The app's preprocessing from the metadata alone gives the loader's tensors.
        files = sorted((data_root / "evaluation" / "class_00").glob("*.png"))[:3]
        pixels = np.stack([np.asarray(Image.open(path).convert("RGB")) for path in files])
        raw = torch.from_numpy(pixels).permute(0, 3, 1, 2).float() / 255
        mean = torch.tensor(metadata["mean"]).view(1, 3, 1, 1)
        std = torch.tensor(metadata["std"]).view(1, 3, 1, 1)
        assert torch.allclose((raw - mean) / std, images[:3], atol=1e-5)
        assert program(((raw - mean) / std)[:1]).shape == (1, 11)
