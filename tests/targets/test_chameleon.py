"""Tests for the chameleon target: the exact commands and API calls it makes, and its errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from lab.targets import connect
from lab.targets.argo_templates import OURS, our_manifest
from lab.targets.chameleon import (
    ChameleonConfigError,
    ChameleonTarget,
    TrainingServiceError,
    TrainingServiceTimeout,
)
from lab.targets.ssh import SSHCommandError
from tests.targets.argo_fakes import NS, T0, Clock, FakeArgo

REPO = Path(__file__).resolve().parents[2]

IP = "203.0.113.10"
KEY = "~/.ssh/id_rsa_chameleon"
SSH = [
    "ssh",
    "-o",
    "BatchMode=yes",
    "-o",
    "StrictHostKeyChecking=accept-new",
    "-o",
    "ConnectTimeout=15",
    "-i",
    KEY,
    f"cc@{IP}",
]
RUN_LINE = (
    "docker run --rm -d -p 9090:8000 -e MLFLOW_TRACKING_URI=http://203.0.113.10:8000/ "
    "-e GIT_PYTHON_REFRESH=quiet --name gourmetgram-train gourmetgram-train"
)
UVICORN = "INFO:     Uvicorn running on http://0.0.0.0:8000 (Press CTRL+C to quit)"
NO_CONTAINER = "Error response from daemon: No such container: gourmetgram-train\n"


def done(returncode: int = 0, stdout: str = "", stderr: str = "") -> subprocess.CompletedProcess:
    return subprocess.CompletedProcess([], returncode, stdout, stderr)


class FakeRunner:
    """Records each argv and answers with scripted results."""

    def __init__(self, *results: subprocess.CompletedProcess[str]) -> None:
        self.results = list(results)
        self.calls: list[tuple[list[str], float]] = []

    def __call__(self, argv: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
        self.calls.append((argv, timeout))
        return self.results.pop(0)

    def remote(self) -> list[str]:
        """The command each call ran on node1, checking the ssh part is always the same."""
        assert all(argv[:-1] == SSH for argv, _ in self.calls)
        return [argv[-1] for argv, _ in self.calls]


def no_argo(sent: object) -> None:
    raise AssertionError(f"unexpected API call {sent}")


def ours() -> dict[str, dict]:
    """Our templates as the server holds them once the lab has applied them."""
    held = {}
    for name in OURS:
        doc = our_manifest(REPO, name)
        doc["metadata"].update(namespace=NS, resourceVersion="3", uid=f"uid-{name}")
        doc["metadata"]["creationTimestamp"] = T0
        held[name] = doc
    return held


@pytest.fixture(autouse=True)
def home_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A key at ~/.ssh/id_rsa_chameleon under a temporary HOME, and no ARGO_TOKEN."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.delenv("ARGO_TOKEN", raising=False)
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa_chameleon").write_text("not a real key\n")


def make(runner: FakeRunner, shown: list[str] | None = None, **kw) -> ChameleonTarget:
    clock = Clock()
    options = {
        "floating_ip": IP,
        "ssh_key": KEY,
        "runner": runner,
        "argo_url": "https://127.0.0.1:2746",
        "argo_pool": FakeArgo(answer=no_argo),
        "repo_url": "https://example.org/me/gourmetgram-lab.git",
        "root": REPO,
        "echo": shown.append if shown is not None else lambda _: None,
        "sleep": clock.sleep,
        "clock": clock,
        **kw,
    }
    return ChameleonTarget(**options)


def test_build_runs_docker_build_on_node1_and_shows_it() -> None:
    runner, shown = FakeRunner(done(stdout="0123456789abcdef\n"), done(stdout="built\n")), []

    make(runner, shown).build_training_image()

    assert runner.remote() == [
        "git -C ~/gourmetgram-lab rev-parse HEAD",
        "docker build -t gourmetgram-train ~/gourmetgram-lab/train/ 2>&1",
    ]
    assert runner.calls[1][1] == 1800
    assert shown[:2] == [
        "# node1 builds from ~/gourmetgram-lab at commit 0123456789ab",
        "$ ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=15 "
        "-i ~/.ssh/id_rsa_chameleon cc@203.0.113.10 "
        "'docker build -t gourmetgram-train ~/gourmetgram-lab/train/ 2>&1'",
    ]


def test_build_clones_the_repository_on_node1_when_it_is_not_there() -> None:
    missing = "fatal: cannot change to '/home/cc/x': No such file or directory\n"
    runner = FakeRunner(done(128, stderr=missing), done(), done(stdout="abc\n"), done())
    shown: list[str] = []

    make(runner, shown, repo_dir="~/x").build_training_image()

    clone = runner.remote()[1]
    assert clone.startswith("git clone --depth 1 --branch ")
    assert clone.endswith(" https://example.org/me/gourmetgram-lab.git ~/x")
    assert (
        "# ~/x is not a clone on node1 yet: cloning https://example.org/me/gourmetgram-lab.git"
        in shown
    )


def test_build_failure_says_to_check_docker_on_node1() -> None:
    denied = "permission denied while trying to connect to the Docker daemon socket\n"
    runner = FakeRunner(done(stdout="abc\n"), done(1, stdout=denied))

    with pytest.raises(SSHCommandError) as caught:
        make(runner).build_training_image()

    message = str(caught.value)
    assert "exit code 1" in message and "permission denied" in message
    assert "docker group" in message


def test_start_runs_the_contract_command_when_no_container_exists() -> None:
    runner, shown = FakeRunner(done(1, stderr=NO_CONTAINER), done(stdout="0123abcd\n")), []

    make(runner, shown).start_training_service()

    assert runner.remote() == ["docker container inspect gourmetgram-train", RUN_LINE]
    assert shown[-1].endswith(f"'{RUN_LINE}'")


def test_start_reuses_a_running_container() -> None:
    inspect = json.dumps([{"Name": "/gourmetgram-train", "State": {"Status": "running"}}])
    runner, shown = FakeRunner(done(stdout=inspect)), []

    make(runner, shown).start_training_service()

    assert runner.remote() == ["docker container inspect gourmetgram-train"]
    assert shown[-1] == "# gourmetgram-train already runs on node1: reusing it"


def test_start_refuses_a_stopped_container_of_the_same_name() -> None:
    inspect = json.dumps([{"State": {"Status": "exited"}}])

    with pytest.raises(TrainingServiceError, match=r"is exited: .*docker rm gourmetgram-train"):
        make(FakeRunner(done(stdout=inspect))).start_training_service()


def test_mlflow_uri_with_a_slash_gives_one_slash_in_docker_run() -> None:
    runner = FakeRunner(done(1, stderr=NO_CONTAINER), done())

    make(runner, mlflow_uri="http://203.0.113.20:8000/").start_training_service()

    assert "-e MLFLOW_TRACKING_URI=http://203.0.113.20:8000/ " in runner.remote()[1]


def test_wait_for_uvicorn_polls_the_log_until_the_line() -> None:
    starting = "Starting the training service\n"
    runner = FakeRunner(done(stdout=starting), done(stdout=starting + UVICORN + "\n"))
    shown: list[str] = []

    line = make(runner, shown).wait_for_uvicorn()

    assert line == UVICORN
    assert runner.remote() == ["docker logs gourmetgram-train 2>&1"] * 2
    assert [s for s in shown if s.startswith("$ ")] == [
        f"$ {' '.join(SSH)} 'docker logs gourmetgram-train 2>&1'"
    ]


def test_wait_for_uvicorn_times_out_with_the_log_tail() -> None:
    log = "".join(f"line {i}\n" for i in range(50)) + "ImportError: no module named torch\n"
    runner = FakeRunner(*[done(stdout=log)] * 10)

    with pytest.raises(TrainingServiceTimeout) as caught:
        make(runner).wait_for_uvicorn(timeout_s=5)

    message = str(caught.value)
    assert "within 5 s" in message
    assert message.endswith("ImportError: no module named torch")
    assert "line 49" in message and "line 10\n" not in message
    assert len(runner.calls) == 4  # at 0, 2, 4 and 6 s of the fake clock


def test_wait_for_uvicorn_when_the_container_is_gone_says_how_to_see_why() -> None:
    runner = FakeRunner(done(1, stdout=NO_CONTAINER))

    with pytest.raises(SSHCommandError) as caught:
        make(runner).wait_for_uvicorn()

    message = str(caught.value)
    assert "No such container" in message
    assert RUN_LINE.replace(" -d", "") in message


def test_training_logs_returns_the_tail() -> None:
    runner = FakeRunner(done(stdout="a\nb\n"))

    assert make(runner).training_logs(tail=5) == "a\nb\n"
    assert runner.remote() == ["docker logs --tail 5 gourmetgram-train 2>&1"]


def test_stop_stops_only_the_container_and_tolerates_none() -> None:
    runner, shown = FakeRunner(done(stdout="gourmetgram-train\n"), done(1, stderr=NO_CONTAINER)), []
    target = make(runner, shown)

    target.stop()
    target.stop()

    assert runner.remote() == ["docker stop gourmetgram-train"] * 2
    assert shown[-1] == "# gourmetgram-train is not running on node1: nothing to stop"


def test_ssh_failure_reaches_the_student_with_what_to_check() -> None:
    runner = FakeRunner(done(255, stderr="ssh: connect to host 203.0.113.10 port 22: timed out\n"))

    with pytest.raises(SSHCommandError) as caught:
        make(runner).stop()

    assert "port 22: timed out" in str(caught.value)
    assert "security group" in str(caught.value)


def test_submit_workflow_sends_the_token_from_the_environment_and_fills_in_the_source(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGO_TOKEN", "Bearer from-env")
    submitted = {
        "metadata": {"name": "train-model-q1", "namespace": NS},
        "spec": {"workflowTemplateRef": {"name": "train-model"}},
        "status": {"startedAt": None, "finishedAt": None},
    }
    finished = {**submitted, "status": {"phase": "Succeeded", "nodes": {}}}
    server = FakeArgo(
        templates=ours(), submitted=submitted, snapshots={"train-model-q1": [finished]}
    )

    target = make(FakeRunner(), argo_pool=server)
    run = target.submit_workflow("train-model", {"endpoint-ip": target.endpoint_ip}, on_event=print)

    assert run.phase == "Succeeded"
    assert server.calls()[:3] == [
        f"GET /api/v1/workflow-templates/{NS}/train-model",
        f"GET /api/v1/workflow-templates/{NS}/build-container-image",
        f"POST /api/v1/workflows/{NS}/submit",
    ]
    submit = server.sent[2]
    assert submit.url == f"https://127.0.0.1:2746/api/v1/workflows/{NS}/submit"
    parameters = submit.json["submitOptions"]["parameters"]
    assert parameters[0] == f"endpoint-ip={IP}"
    assert parameters[1] == "app-repo=https://example.org/me/gourmetgram-lab.git"
    assert parameters[2].startswith("app-revision=")
    assert all(s.headers["Authorization"] == "Bearer from-env" for s in server.sent)


def test_no_token_is_sent_when_none_is_given() -> None:
    server = FakeArgo(templates=ours())

    make(FakeRunner(), argo_pool=server).argo.server.get_template("train-model")

    assert "Authorization" not in server.sent[0].headers


def test_defaults_and_description_name_every_address() -> None:
    target = connect("chameleon", floating_ip=IP, ssh_key=KEY)

    assert isinstance(target, ChameleonTarget)
    assert target.mlflow_uri == f"http://{IP}:8000"
    assert target.endpoint_ip == IP
    assert target.namespace == "argo"
    text = target.describe()
    for part in (
        f"cc@{IP}",
        "port 9090",
        f"http://{IP}:8000",
        "namespace argo",
        "through node1 (kubectl port-forward there, ssh -L here",
        "no token",
    ):
        assert part in text


@pytest.mark.parametrize("ip", ["", "A.B.C.D", "http://203.0.113.10", "203.0.113.10:2746"])
def test_an_unusable_floating_ip_is_refused_with_what_to_set(ip: str) -> None:
    with pytest.raises(ChameleonConfigError, match="set it in the parameters cell"):
        ChameleonTarget(floating_ip=ip)


def test_latest_run_reads_the_newest_workflow_made_from_a_template() -> None:
    """03 finds the build that followed by spec.workflowTemplateRef: v3.6.5 sets no label."""

    def listed(name: str, template: str, created: str) -> dict:
        return {
            "metadata": {"name": name, "creationTimestamp": created},
            "spec": {"workflowTemplateRef": {"name": template}},
        }

    newest = {
        "metadata": {"name": "build-container-image-new", "namespace": NS},
        "spec": {
            "workflowTemplateRef": {"name": "build-container-image"},
            "arguments": {"parameters": [{"name": "model-version", "value": "4"}]},
        },
        "status": {"phase": "Succeeded", "nodes": {}},
    }
    server = FakeArgo(
        listed=[
            listed("build-container-image-old", "build-container-image", "2026-01-01T00:00:00Z"),
            listed("build-container-image-new", "build-container-image", "2026-01-02T00:00:00Z"),
            listed("train-model-newer", "train-model", "2026-01-03T00:00:00Z"),
        ],
        snapshots={"build-container-image-new": [newest]},
    )
    target = make(FakeRunner(), argo_pool=server)

    run = target.latest_run("build-container-image")

    assert run is not None
    assert (run.name, run.phase, run.parameters) == (
        "build-container-image-new",
        "Succeeded",
        {"model-version": "4"},
    )
    assert server.calls() == [
        f"GET /api/v1/workflows/{NS}",
        f"GET /api/v1/workflows/{NS}/build-container-image-new",
    ]


@pytest.fixture
def no_mlflow_calls(monkeypatch: pytest.MonkeyPatch) -> None:
    """The MLflow check answers from here: tests send nothing to the example address."""
    from lab.targets import preflight

    def mlflow(report: preflight.Report, uri: str) -> None:
        report.add("MLflow", preflight.OK, f"{uri}: server 3.9.0, client 3.17.2")

    monkeypatch.setattr(preflight, "check_mlflow", mlflow)


@pytest.mark.usefixtures("no_mlflow_calls")
def test_preflight_reports_each_check_and_what_to_fix() -> None:
    server = FakeArgo(templates={"build-container-image": ours()["build-container-image"]})
    denied = "permission denied while trying to connect to the Docker daemon socket"
    runner = FakeRunner(done(stdout="node1\n"), done(1, stdout=denied))

    report = make(runner, argo_pool=server).preflight()

    text = str(report)
    assert not report.ok
    assert [(c.name, c.status) for c in report.checks] == [
        ("SSH to node1", "ok"),
        ("Docker on node1", "FAIL"),
        ("Argo Server", "ok"),
        ("Argo namespace", "ok"),
        ("template train-model", "note"),
        ("template build-container-image", "ok"),
        ("MLflow", "ok"),
    ]
    assert "sudo usermod -aG docker cc" in text
    assert "v3.6.5, https://127.0.0.1:2746" in text
    assert (
        "missing (not there): the first submit creates it from workflows/train-model.yaml" in text
    )
    assert text.endswith("not ready: fix each FAIL above, then run this again")


@pytest.mark.usefixtures("no_mlflow_calls")
def test_preflight_without_ssh_does_not_try_the_tunnel() -> None:
    runner = FakeRunner(done(255, stderr="ssh: connect to host port 22: Connection refused\n"))
    target = make(runner, argo_url="")

    report = target.preflight()

    assert [(c.name, c.status) for c in report.checks][:2] == [
        ("SSH to node1", "FAIL"),
        ("Argo Server", "FAIL"),
    ]
    assert "Connection refused" in str(report) and "security group" in str(report)
