"""Docker mode for real: both images build, the train container answers through 9090, the
app image is pushed, pulled back and answers, and ``stop`` leaves nothing running."""

from __future__ import annotations

import time
from collections.abc import Iterator

import httpx
import pytest

from lab.docker import containers
from lab.docker.cli import docker
from lab.docker.registry import REGISTRY_NAME, registry_address, tags
from lab.registry import alias_version
from lab.services.ports import free_port, port_in_use
from lab.services.process import find_service
from lab.targets.commands import CONTAINER, HOST_PORT, UVICORN_LINE
from lab.targets.docker_build import CHECK_CONTAINER
from lab.targets.local_docker import LocalDockerTarget
from tests.docker.conftest import require_engine

pytestmark = pytest.mark.slow
IMAGE_REF = f"{registry_address()}/gourmetgram-app:staging-1.0.1"


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalDockerTarget]:
    """Docker mode with its own state and MLflow port; the fixed ports must be free."""
    require_engine()
    if containers.status(CONTAINER) is not None or port_in_use(HOST_PORT, "0.0.0.0"):
        pytest.fail(
            f"a {CONTAINER} container or port {HOST_PORT} is in use (the lab's own?): "
            "`python -m lab stop` first"
        )
    lines: list[str] = []
    state = tmp_path_factory.mktemp("docker-mode")
    lab = LocalDockerTarget(state=state, mlflow_port=free_port(), echo=lines.append)
    lab.lines = lines  # type: ignore[attr-defined]
    try:
        yield lab
    finally:
        lab.stop()


def test_the_train_image_builds_and_its_container_answers_a_trigger_through_9090(
    target: LocalDockerTarget,
) -> None:
    target.build_training_image()
    shown = "\n".join(target.lines)  # type: ignore[attr-defined]
    assert "docker build -t gourmetgram-train" in shown
    target.start_training_service()
    shown = "\n".join(target.lines)  # type: ignore[attr-defined]
    # The student's docker run line, with the MLflow address the container reaches.
    assert (
        f"docker run --rm -d -p 9090:8000 -e MLFLOW_TRACKING_URI={target.mlflow_uri}/ "
        "-e GIT_PYTHON_REFRESH=quiet --name gourmetgram-train gourmetgram-train"
    ) in shown
    assert UVICORN_LINE in target.wait_for_uvicorn(timeout_s=60)
    answer = httpx.post(f"http://127.0.0.1:{HOST_PORT}/trigger-training", json={}, timeout=300)
    assert answer.status_code == 200, answer.text
    assert answer.json()["new_model_version"] == "1"
    assert alias_version(target.mlflow_uri, "development") == 1
    assert "Uvicorn running on" in target.training_logs(tail=200)


def test_the_build_workflow_pushes_an_app_image_that_runs_from_the_registry(
    target: LocalDockerTarget,
) -> None:
    run = target.submit_workflow("build-container-image", {"model-version": "1"})
    step = run.node("build-image")
    assert run.phase == "Succeeded", run.message
    assert step.outputs.result == IMAGE_REF
    assert "classic docker build standing in for BuildKit" in step.message
    assert "staging-1.0.1" in tags(registry_address(), "gourmetgram-app")
    assert alias_version(target.mlflow_uri, "staging") == 1
    assert containers.status(CHECK_CONTAINER) is None  # the handler's check container is gone
    # Independently of the step: drop the local image, pull it from the registry, run it.
    docker("image", "rm", "--no-prune", IMAGE_REF, timeout_s=60)
    docker("pull", "--quiet", IMAGE_REF, timeout_s=600)
    name = "gourmetgram-app-test"
    argv = ["docker", "run", "--rm", "-d", "-p", "127.0.0.1::8000", "--name", name, IMAGE_REF]
    containers.run_detached(argv, target.state)
    try:
        url = f"http://127.0.0.1:{containers.published_port(name, 8000)}"
        with httpx.Client(base_url=url, timeout=10) as http:
            for _ in range(240):
                try:
                    if http.get("/health").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            assert http.get("/version").json()["model_version"] == "1.0.1"
            assert http.get("/test").json()["prediction"]
    finally:
        containers.remove(name)


def test_stop_leaves_no_container_and_no_registry(target: LocalDockerTarget) -> None:
    assert find_service(REGISTRY_NAME, target.state) is not None
    target.stop()
    assert containers.status(CONTAINER) is None
    assert containers.status(CHECK_CONTAINER) is None
    assert find_service(REGISTRY_NAME, target.state) is None
    assert not port_in_use(HOST_PORT, "0.0.0.0")
    assert not list(containers.records_dir(target.state).glob("*.json"))
