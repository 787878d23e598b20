"""Process mode (no Docker engine): the build step never reports an image, staging never moves."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from lab.notebook import new_version
from lab.registry import alias_version
from lab.services.ports import free_port
from lab.targets.local import LocalTarget

pytestmark = pytest.mark.slow


@pytest.fixture
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalTarget]:
    """The process-mode target on free ports, with its own state."""
    state = tmp_path_factory.mktemp("process-mode")
    lab = LocalTarget(
        state=state, mlflow_port=free_port(), service_port=free_port(), echo=lambda _: None
    )
    try:
        yield lab
    finally:
        lab.stop()


def test_the_build_step_fails_without_an_image_and_staging_stays(target: LocalTarget) -> None:
    assert not target.builds_images
    target.start_training_service()
    run = target.submit_workflow(
        "train-model",
        {"endpoint-ip": target.endpoint_ip, "endpoint-port": str(target.service_port)},
    )
    version = new_version(run)
    assert run.phase == "Succeeded" and version is not None
    (build,) = run.children
    step = build.node("build-image")
    assert build.phase == "Failed"
    assert step.phase == "Failed"
    assert step.outputs.result is None
    assert "NOT built" in step.message and "staging does not move" in step.message
    # What was checked instead is reported as a check, on the first attempt only.
    assert f"/version = 1.0.{version}" in step.message
    assert "set-staging-alias" not in {node.name for node in build.nodes}
    assert alias_version(target.mlflow_uri, "development") == version
    assert alias_version(target.mlflow_uri, "staging") is None
    assert target.latest_run("build-container-image").phase == "Failed"
