"""The lab's two WorkflowTemplates: their contract, pins, and their scripts run for real."""

from __future__ import annotations

import json
import re
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
import yaml

from lab.argo.documents import find_template

REPO = Path(__file__).resolve().parents[2]
TRAIN = REPO / "workflows" / "train-model.yaml"
BUILD = REPO / "workflows" / "build-container-image.yaml"
PARAMETER = re.compile(r"\{\{(?:inputs|workflow)\.parameters\.([\w-]+)\}\}")
#: The most lines a student should read: whole files, and each script inside them.
MAX_LINES = {TRAIN: 110, BUILD: 220}
MAX_SCRIPT_LINES = 30
INSTALLS = re.compile(r"\b(pip3?|apk|apt-get|apt|conda|uv)\s+(install|add)\b")


def load(path: Path) -> dict:
    """The WorkflowTemplate in ``path``."""
    return yaml.safe_load(path.read_text())


def parameters(doc: dict) -> dict[str, str | None]:
    """``name -> default`` of the WorkflowTemplate's arguments."""
    return {p["name"]: p.get("value") for p in doc["spec"]["arguments"]["parameters"]}


def script_env(template: dict, parameters: dict[str, str]) -> dict[str, str]:
    """The environment Argo gives a script template, for the given parameter values.

    ``parameters`` gives the value of each ``{{inputs.parameters.X}}`` and
    ``{{workflow.parameters.X}}`` the env values name (secrets are left out).
    """
    env = {}
    for entry in template["script"].get("env", []):
        if "value" in entry:
            env[entry["name"]] = PARAMETER.sub(lambda m: parameters[m.group(1)], entry["value"])
    return env


def stdlib_python(script: Path) -> list[str]:
    """Run ``script`` with this Python and nothing but its standard library (no site-packages)."""
    return [sys.executable, "-I", "-S", str(script)]


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
    ]
    manifest = yaml.safe_load(find_template(TRAIN, "trigger-build")["resource"]["manifest"])
    assert manifest["kind"] == "Workflow"
    # v3.6.5 does not label a Workflow that a resource step creates: the manifest does.
    assert manifest["metadata"] == {
        "generateName": "build-container-image-",
        "labels": {"workflows.argoproj.io/workflow-template": "build-container-image"},
    }
    assert manifest["spec"]["workflowTemplateRef"] == {"name": "build-container-image"}
    # The build gets the version from the step, and the app source the training run was given.
    passed = {p["name"]: p["value"] for p in manifest["spec"]["arguments"]["parameters"]}
    assert passed == {
        "model-version": "{{inputs.parameters.model-version}}",
        "app-repo": "{{workflow.parameters.app-repo}}",
        "app-revision": "{{workflow.parameters.app-revision}}",
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
    assert ref == {"name": "{{workflow.parameters.token-secret}}", "key": "token", "optional": True}


def test_every_image_and_package_is_pinned() -> None:
    for name, template in all_templates():
        for kind in ("script", "container"):
            if kind not in template:
                continue
            image = template[kind]["image"]
            assert not image.endswith(":latest") and ":" in image, (name, image)
            assert re.search(r":v?\d+\.\d+\.\d+", image), f"{name}: {image} is not an exact version"


def test_no_step_installs_anything() -> None:
    """Every step runs with what its pinned image ships: nothing is fetched but the data."""
    for name, template in all_templates():
        section = template.get("script") or template.get("container") or {}
        words = [*section.get("command", []), *section.get("args", [])]
        code = "\n".join([section.get("source", ""), *map(str, words)])
        assert not INSTALLS.search(code), f"{name}: {template['name']} installs a package"
        if section.get("command") == ["python"]:
            assert "import mlflow" not in code and "from mlflow" not in code, template["name"]


@pytest.mark.parametrize("path", [TRAIN, BUILD], ids=lambda p: p.name)
def test_a_student_can_read_each_template_whole(path: Path) -> None:
    lines = path.read_text().splitlines()
    assert len(lines) <= MAX_LINES[path], f"{path.name}: {len(lines)} lines"
    for template in load(path)["spec"]["templates"]:
        source = (template.get("script") or {}).get("source", "")
        count = len(source.splitlines())
        assert count <= MAX_SCRIPT_LINES, f"{path.name}: {template['name']}'s script: {count} lines"


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
    tmp_path: Path, port: int, token: str | None, epochs: str = "", timeout: float = 120
) -> subprocess.CompletedProcess:
    """Run call-endpoint's script as Argo would: Python with its standard library only."""
    template = find_template(TRAIN, "call-endpoint")
    parameters = {
        "endpoint-ip": "127.0.0.1",
        "endpoint-port": str(port),
        "token-secret": "unused",
        "epochs": epochs,
    }
    env = script_env(template, parameters)
    if token is not None:
        env["TRIGGER_TOKEN"] = token
    script = tmp_path / "script.py"
    script.write_text(template["script"]["source"])
    return subprocess.run(
        stdlib_python(script), env=env, capture_output=True, text=True, timeout=timeout, check=False
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


def test_call_endpoint_refuses_epochs_that_are_not_whole_numbers(tmp_path: Path, service) -> None:
    handler, port = service
    for epochs in ("-1", "1.5", "٣"):
        done = run_call_endpoint(tmp_path, port, token=None, epochs=epochs)
        assert done.returncode != 0 and f"got {epochs!r}" in done.stderr
    assert handler.seen == []


def test_call_endpoint_retries_a_refused_connection_until_the_service_is_up(
    tmp_path: Path,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on, for now
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = type("Handler", (TrainingService,), {"seen": [], "bodies": []})
    handler.answer = (200, {"status": "ok", "new_model_version": "7", "metrics": {}})
    template = find_template(TRAIN, "call-endpoint")
    script = tmp_path / "script.py"
    script.write_text(template["script"]["source"])
    parameters = {"endpoint-ip": "127.0.0.1", "endpoint-port": str(port), "epochs": ""}
    step = subprocess.Popen(
        stdlib_python(script),
        env=script_env(template, {**parameters, "token-secret": "unused"}),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        time.sleep(2)  # the first attempt has been refused by now
        assert step.poll() is None, "the step gave up on a refused connection"
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        stdout, stderr = step.communicate(timeout=60)
    finally:
        step.kill()
    server.shutdown()
    server.server_close()
    assert step.returncode == 0, stderr
    assert stdout == "7"
    assert len(handler.seen) == 1, "the training service was asked more than once"


def test_call_endpoint_never_repeats_a_post_that_got_no_answer(tmp_path: Path) -> None:
    """A connection that was accepted and then closed may have started a training run."""
    accepted = []
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]

        def hang_up() -> None:
            while True:
                try:
                    connection, _ = listener.accept()
                except OSError:  # the listener was closed: the test is over
                    return
                accepted.append(connection.recv(65536))
                connection.close()

        threading.Thread(target=hang_up, daemon=True).start()
        done = run_call_endpoint(tmp_path, port, token=None)
    assert done.returncode != 0
    assert done.stdout == ""
    assert len(accepted) == 1 and accepted[0].startswith(b"POST /trigger-training")
    assert f"no answer from http://127.0.0.1:{port}/trigger-training" in done.stderr
