"""build-container-image's Python steps, run for real against a local MLflow server.

They run as their image runs them: Python with its standard library only (no site-packages,
so no MLflow client). fetch-model fills a copy of app/ (as clone-app leaves it) with version
N's serving artifact; the app then starts from that context. set-staging-alias moves the alias.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import httpx
import pytest
from mlflow.tracking import MlflowClient

from gourmetgram_train.data import FOOD11_CLASSES
from lab.argo.documents import find_template
from tests.app.serving import copy_app_source, make_serving_artifact, running_app
from tests.workflows.test_project_workflows import BUILD, script_env, stdlib_python

pytestmark = pytest.mark.slow
MODEL = "WorkflowScriptsTestModel"  # its own name on the session's shared MLflow server


@pytest.fixture(scope="module")
def registry(mlflow_server, tmp_path_factory: pytest.TempPathFactory) -> str:
    """The session's MLflow server with MODEL registered: version 1's run holds serving/,
    version 2's run holds only serving/model.pt2 (its metadata.json was never logged)."""
    serving = make_serving_artifact(tmp_path_factory.mktemp("artifact") / "serving")
    client = MlflowClient(tracking_uri=mlflow_server.uri)
    experiment = client.create_experiment("workflow-scripts")
    client.create_registered_model(MODEL)
    for expected, files in (("1", ("model.pt2", "metadata.json")), ("2", ("model.pt2",))):
        run = client.create_run(experiment)
        for name in files:
            client.log_artifact(run.info.run_id, str(serving / name), artifact_path="serving")
        client.set_terminated(run.info.run_id)
        source = f"{run.info.artifact_uri}/serving"
        version = client.create_model_version(MODEL, source=source, run_id=run.info.run_id)
        assert version.version == expected
    return mlflow_server.uri


def run_step(name: str, workspace: Path, inputs: dict[str, str]) -> subprocess.CompletedProcess:
    """Run a Python script template in ``workspace`` (its /workspace) with Argo's env only."""
    template = find_template(BUILD, name)
    script = workspace.parent / f"{name}.py"
    script.write_text(template["script"]["source"])
    return subprocess.run(
        stdlib_python(script),
        cwd=workspace,
        env=script_env(template, inputs),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def inputs_for(registry: str, version: str) -> dict[str, str]:
    """The input parameters build-and-tag passes, for this server and version."""
    return {
        "mlflow-uri": registry,
        "model-name": MODEL,
        "model-version": version,
        "app-path": "app",
    }


def test_fetch_model_fills_the_build_context_and_the_app_serves_it(
    registry: str, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    copy_app_source(workspace / "source" / "app")
    done = run_step("fetch-model", workspace, inputs_for(registry, "1"))
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1.0.1"
    context = workspace / "source" / "app"
    assert sorted(p.name for p in (context / "model").iterdir()) == [
        "metadata.json",
        "model.pt2",
        "version.txt",
    ]
    assert (context / "model" / "version.txt").read_text().strip() == "1.0.1"
    assert not list(context.glob(".model-*")), "the temporary download folder was left behind"
    with running_app(context, tmp_path / "app.log") as url:
        assert httpx.get(f"{url}/version", timeout=10).json() == {"model_version": "1.0.1"}
        assert httpx.get(f"{url}/test", timeout=30).json()["prediction"] in FOOD11_CLASSES


def test_fetch_model_names_a_version_that_does_not_exist(registry: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    copy_app_source(workspace / "source" / "app")
    done = run_step("fetch-model", workspace, inputs_for(registry, "9"))
    assert done.returncode != 0
    assert f"{MODEL} version 9 not found at {registry}" in done.stderr
    assert not (workspace / "source" / "app" / "model").exists()


def test_set_staging_alias_points_staging_at_the_version(registry: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    inputs = inputs_for(registry, "1")
    del inputs["app-path"]
    done = run_step("set-staging-alias", workspace, inputs)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "1"
    client = MlflowClient(tracking_uri=registry)
    assert client.get_model_version_by_alias(MODEL, "staging").version == "1"


def test_fetch_model_refuses_a_version_that_is_not_a_number(registry: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    copy_app_source(workspace / "source" / "app")
    done = run_step("fetch-model", workspace, inputs_for(registry, "latest"))
    assert done.returncode != 0
    assert "model-version must be a number such as 3, got 'latest'" in done.stderr
    assert not (workspace / "source" / "app" / "model").exists()


def test_fetch_model_needs_the_cloned_build_context(registry: str, tmp_path: Path) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    done = run_step("fetch-model", workspace, inputs_for(registry, "1"))
    assert done.returncode != 0
    assert "no source/app/Dockerfile: check app-path, and that clone-app ran" in done.stderr


def test_fetch_model_replaces_the_model_only_with_a_complete_one(
    registry: str, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    context = copy_app_source(workspace / "source" / "app")
    assert run_step("fetch-model", workspace, inputs_for(registry, "1")).returncode == 0
    before = {p.name: p.read_bytes() for p in (context / "model").iterdir()}
    done = run_step("fetch-model", workspace, inputs_for(registry, "2"))  # no metadata.json
    assert done.returncode != 0
    assert "serving/metadata.json of run" in done.stderr and "not found at" in done.stderr
    assert {p.name: p.read_bytes() for p in (context / "model").iterdir()} == before
    assert not list(context.glob(".model-*")), "the temporary download folder was left behind"
    again = run_step("fetch-model", workspace, inputs_for(registry, "1"))  # a retry, in place
    assert again.returncode == 0, again.stderr
    assert {p.name: p.read_bytes() for p in (context / "model").iterdir()} == before


def test_set_staging_alias_names_a_version_that_does_not_exist(
    registry: str, tmp_path: Path
) -> None:
    workspace = tmp_path / "workspace"
    workspace.mkdir()
    client = MlflowClient(tracking_uri=registry)
    client.set_registered_model_alias(MODEL, "staging", "1")
    inputs = inputs_for(registry, "9")
    del inputs["app-path"]
    done = run_step("set-staging-alias", workspace, inputs)
    assert done.returncode != 0 and done.stdout == ""
    assert f"could not set {MODEL}@staging at {registry}" in done.stderr
    assert "not found" in done.stderr
    assert client.get_model_version_by_alias(MODEL, "staging").version == "1"
