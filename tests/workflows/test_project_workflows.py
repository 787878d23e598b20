"""The lab's two WorkflowTemplates: their contract, pins, and their scripts run for real."""

from __future__ import annotations

import json
import os
import re
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from lab.argo.documents import find_template

REPO = Path(__file__).resolve().parents[2]
TRAIN = REPO / "workflows" / "train-model.yaml"
BUILD = REPO / "workflows" / "build-container-image.yaml"
INPUT = re.compile(r"\{\{inputs\.parameters\.([\w-]+)\}\}")


def load(path: Path) -> dict:
    """The WorkflowTemplate in ``path``."""
    return yaml.safe_load(path.read_text())


def parameters(doc: dict) -> dict[str, str | None]:
    """``name -> default`` of the WorkflowTemplate's arguments."""
    return {p["name"]: p.get("value") for p in doc["spec"]["arguments"]["parameters"]}


def script_env(template: dict, inputs: dict[str, str]) -> dict[str, str]:
    """The environment Argo gives a script template, for the given input parameters."""
    env = {}
    for entry in template["script"].get("env", []):
        if "value" in entry:
            env[entry["name"]] = INPUT.sub(lambda m: inputs[m.group(1)], entry["value"])
    return env


def all_templates() -> Iterator[tuple[str, dict]]:
    """``(file name, template)`` for every template of both files."""
    for path in (TRAIN, BUILD):
        for template in load(path)["spec"]["templates"]:
            yield path.name, template


def test_names_entrypoints_and_steps_follow_the_brief() -> None:
    train, build = load(TRAIN), load(BUILD)
    assert train["metadata"]["name"] == "train-model"
    assert train["spec"]["entrypoint"] == "training-and-build"
    assert [t["name"] for t in train["spec"]["templates"]] == [
        "training-and-build",
        "call-endpoint",
        "trigger-build",
    ]
    steps = [s["name"] for group in train["spec"]["templates"][0]["steps"] for s in group]
    assert steps == ["trigger-training-endpoint", "build-container"]
    assert build["metadata"]["name"] == "build-container-image"
    assert build["spec"]["entrypoint"] == "build-and-tag"
    names = ["build-and-tag", "clone-app", "fetch-model", "build-image", "set-staging-alias"]
    assert [t["name"] for t in build["spec"]["templates"]] == names
    steps = [s["name"] for group in build["spec"]["templates"][0]["steps"] for s in group]
    assert steps == names[1:]


def test_parameters_and_cluster_defaults() -> None:
    train = parameters(load(TRAIN))
    assert train["endpoint-ip"] is None and train["endpoint-port"] == "9090"
    # The app source is never a placeholder: the submitter names it (the lab: its clone).
    assert train["app-repo"] is None and train["app-revision"] == "main"
    assert train["token-secret"] == "gourmetgram-train-token"
    build = parameters(load(BUILD))
    assert build["model-version"] is None
    assert build["mlflow-uri"] == "http://mlflow.gourmetgram-platform.svc.cluster.local:8000"
    assert build["registry"] == "registry.kube-system.svc.cluster.local:5000"
    assert build["model-name"] == "GourmetGramFood11Model"
    assert build["app-revision"] == "main" and build["app-path"] == "app"
    assert build["app-repo"] is None


def test_build_runs_only_when_training_answered_a_version() -> None:
    step = find_template(TRAIN, "training-and-build")["steps"][1][0]
    assert step["when"] == "'{{steps.trigger-training-endpoint.outputs.result}}' != ''"
    assert step["arguments"]["parameters"] == [
        {"name": "model-version", "value": "{{steps.trigger-training-endpoint.outputs.result}}"},
        {"name": "app-repo", "value": "{{workflow.parameters.app-repo}}"},
        {"name": "app-revision", "value": "{{workflow.parameters.app-revision}}"},
    ]
    manifest = yaml.safe_load(find_template(TRAIN, "trigger-build")["resource"]["manifest"])
    assert manifest["kind"] == "Workflow"
    # v3.6.5 does not label a Workflow that a resource step creates: the manifest does.
    assert manifest["metadata"] == {
        "generateName": "build-container-image-",
        "labels": {"workflows.argoproj.io/workflow-template": "build-container-image"},
    }
    assert manifest["spec"]["workflowTemplateRef"] == {"name": "build-container-image"}
    passed = {p["name"]: p["value"] for p in manifest["spec"]["arguments"]["parameters"]}
    assert passed == {
        "model-version": "{{inputs.parameters.model-version}}",
        "app-repo": "{{inputs.parameters.app-repo}}",
        "app-revision": "{{inputs.parameters.app-revision}}",
    }


def test_each_workflow_has_its_own_deadline_and_the_build_its_resources_and_cache() -> None:
    assert load(TRAIN)["spec"]["activeDeadlineSeconds"] == 2400
    assert load(BUILD)["spec"]["activeDeadlineSeconds"] == 3600
    script = find_template(BUILD, "build-image")["script"]
    assert script["resources"] == {
        "requests": {"memory": "2Gi", "cpu": "500m"},
        "limits": {"memory": "3Gi", "cpu": "1"},
    }
    assert '--import-cache "$cache"' in script["source"]
    assert '--export-cache "${cache},mode=max"' in script["source"]
    assert "ref=${REGISTRY}/${IMAGE_NAME}:buildcache" in script["source"]


def test_the_token_comes_from_an_optional_secret() -> None:
    env = {e["name"]: e for e in find_template(TRAIN, "call-endpoint")["script"]["env"]}
    ref = env["TRIGGER_TOKEN"]["valueFrom"]["secretKeyRef"]
    assert ref == {"name": "{{inputs.parameters.token-secret}}", "key": "token", "optional": True}


def test_every_image_and_package_is_pinned() -> None:
    for name, template in all_templates():
        for kind in ("script", "container"):
            if kind not in template:
                continue
            image = template[kind]["image"]
            assert not image.endswith(":latest") and ":" in image, (name, image)
            assert re.search(r":v?\d+\.\d+\.\d+", image), f"{name}: {image} is not an exact version"
            source = template[kind].get("source", "")
            for requirement in re.findall(r"REQUIREMENT = \"([^\"]+)\"", source):
                assert re.fullmatch(r"[\w-]+==\d+\.\d+\.\d+", requirement), requirement
            assert "pip install" not in source or "REQUIREMENT" in source


def test_network_steps_retry_with_backoff_and_share_the_workspace() -> None:
    build = load(BUILD)
    assert build["spec"]["volumeClaimTemplates"][0]["spec"]["accessModes"] == ["ReadWriteOnce"]
    for name in ("clone-app", "fetch-model", "build-image", "set-staging-alias"):
        template = find_template(BUILD, name)
        assert int(template["retryStrategy"]["limit"]) >= 2
        assert {"duration", "factor", "maxDuration"} <= set(template["retryStrategy"]["backoff"])
    for name in ("clone-app", "fetch-model", "build-image", "set-staging-alias"):
        script = find_template(BUILD, name)["script"]
        assert script["workingDir"] == "/workspace"
        assert {"name": "workspace", "mountPath": "/workspace"} in script["volumeMounts"]


def test_buildkit_runs_rootless_and_pushes_the_staging_tag() -> None:
    script = find_template(BUILD, "build-image")["script"]
    assert script["image"].startswith("moby/buildkit:") and script["image"].endswith("-rootless")
    security = script["securityContext"]
    assert security["runAsUser"] == 1000 and "privileged" not in security
    assert security["seccompProfile"] == {"type": "Unconfined"}
    assert security["appArmorProfile"] == {"type": "Unconfined"}
    assert 'image="${REGISTRY}/${IMAGE_NAME}:staging-1.0.${MODEL_VERSION}"' in script["source"]
    assert "push=true,registry.insecure=true" in script["source"]


# --- call-endpoint, run for real: sh, curl and jq against a local HTTP server ----------


class TrainingService(BaseHTTPRequestHandler):
    """Answers POST /trigger-training with a configured status and body; records headers."""

    answer: tuple[int, dict] = (200, {})
    seen: list[dict[str, str]]
    bodies: list[object]

    def do_POST(self) -> None:
        """Record the request and answer it."""
        length = int(self.headers.get("Content-Length") or 0)
        self.bodies.append(json.loads(self.rfile.read(length) or b"null"))
        self.seen.append(
            {"path": self.path, "authorization": self.headers.get("Authorization", "")}
        )
        status, body = self.answer
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: object) -> None:
        """Keep the test output quiet."""


@pytest.fixture
def service() -> Iterator[tuple[type[TrainingService], int]]:
    """A local stand-in for the training service's HTTP answers, on a free port."""
    handler = type("Handler", (TrainingService,), {"seen": [], "bodies": []})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield handler, server.server_address[1]
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def run_call_endpoint(
    tmp_path: Path, port: int, token: str | None, epochs: str = ""
) -> subprocess.CompletedProcess:
    """Run call-endpoint's script as Argo would, with `apk` already satisfied (curl, jq here)."""
    template = find_template(TRAIN, "call-endpoint")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    (bin_dir / "apk").write_text("#!/bin/sh\necho 'apk: curl and jq are installed' >&2\n")
    (bin_dir / "apk").chmod(0o755)
    inputs = {
        "endpoint-ip": "127.0.0.1",
        "endpoint-port": str(port),
        "token-secret": "unused",
        "epochs": epochs,
    }
    env = {"PATH": f"{bin_dir}:{os.environ['PATH']}", **script_env(template, inputs)}
    if token is not None:
        env["TRIGGER_TOKEN"] = token
    script = tmp_path / "script"
    script.write_text(template["script"]["source"])
    return subprocess.run(
        ["sh", str(script)], env=env, capture_output=True, text=True, timeout=120, check=False
    )


def test_call_endpoint_prints_only_the_new_version(tmp_path: Path, service) -> None:
    handler, port = service
    handler.answer = (200, {"status": "ok", "new_model_version": "3", "run_id": "r", "metrics": {}})
    done = run_call_endpoint(tmp_path, port, token=None)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "3"
    assert handler.seen == [{"path": "/trigger-training", "authorization": ""}]
    assert "new model version: 3" in done.stderr
    assert handler.bodies == [{}]


def test_call_endpoint_sends_the_epochs_parameter(tmp_path: Path, service) -> None:
    handler, port = service
    handler.answer = (200, {"status": "rejected", "new_model_version": None, "metrics": {}})
    done = run_call_endpoint(tmp_path, port, token=None, epochs="0")
    assert done.returncode == 0, done.stderr
    assert (done.stdout, handler.bodies) == ("", [{"epochs": 0}])


def test_call_endpoint_refuses_epochs_that_are_not_a_number(tmp_path: Path, service) -> None:
    handler, port = service
    done = run_call_endpoint(tmp_path, port, token=None, epochs="three")
    assert done.returncode != 0
    assert "epochs must be a whole number, got 'three'" in done.stderr
    assert handler.seen == []


def test_call_endpoint_does_not_repeat_a_request_that_reached_the_service(
    tmp_path: Path, service
) -> None:
    handler, port = service
    handler.answer = (500, {"detail": "training failed"})
    done = run_call_endpoint(tmp_path, port, token=None)
    assert done.returncode != 0
    assert len(handler.seen) == 1, "a failed training run must not be triggered again"
    assert "HTTP 500" in done.stderr


def test_call_endpoint_prints_nothing_when_the_gate_failed(tmp_path: Path, service) -> None:
    handler, port = service
    handler.answer = (
        200,
        {"status": "ok", "new_model_version": None, "metrics": {"accuracy": 0.5}},
    )
    done = run_call_endpoint(tmp_path, port, token="s3cret")
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    assert handler.seen[0]["authorization"] == "Bearer s3cret"
    assert "nothing to build" in done.stderr


def test_call_endpoint_fails_on_an_error_answer(tmp_path: Path, service) -> None:
    handler, port = service
    handler.answer = (423, {"detail": "a training run is already in progress"})
    done = run_call_endpoint(tmp_path, port, token=None)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "HTTP 423" in done.stderr and "already in progress" in done.stderr
