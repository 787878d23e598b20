"""Tests for the chameleon target: the exact commands and API calls it makes, and its errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import httpx
import pytest

from lab.targets import connect
from lab.targets.chameleon import (
    ChameleonConfigError,
    ChameleonTarget,
    TrainingServiceError,
    TrainingServiceTimeout,
)
from lab.targets.ssh import SSHCommandError

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


class Clock:
    """A clock that moves only when the target sleeps."""

    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def no_http(request: httpx.Request) -> httpx.Response:
    raise AssertionError(f"unexpected API call {request.method} {request.url}")


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
        "http": httpx.Client(transport=httpx.MockTransport(no_http)),
        "echo": shown.append if shown is not None else lambda _: None,
        "sleep": clock.sleep,
        "clock": clock,
        **kw,
    }
    return ChameleonTarget(**options)


def test_build_runs_docker_build_on_node1_and_shows_it() -> None:
    runner, shown = FakeRunner(done()), []

    make(runner, shown).build_training_image()

    assert runner.remote() == ["docker build -t gourmetgram-train ~/gourmetgram-lab/train/"]
    assert runner.calls[0][1] == 1800
    assert shown == [
        "$ ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=15 "
        "-i ~/.ssh/id_rsa_chameleon cc@203.0.113.10 "
        "'docker build -t gourmetgram-train ~/gourmetgram-lab/train/'"
    ]


def test_build_failure_says_to_clone_the_repository() -> None:
    missing = 'ERROR: unable to prepare context: path "/home/cc/x/train/" not found\n'
    runner = FakeRunner(done(1, stderr=missing))

    with pytest.raises(SSHCommandError) as caught:
        make(runner, repo_dir="~/x").build_training_image()

    message = str(caught.value)
    assert "exit code 1" in message and "unable to prepare context" in message
    assert "git clone --depth 1 REPO_URL ~/x" in message


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


def test_submit_workflow_uses_argo_server_with_token_from_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ARGO_TOKEN", "Bearer from-env")
    requests: list[httpx.Request] = []
    finished = {
        "metadata": {"name": "train-model-q1", "labels": {}},
        "spec": {"workflowTemplateRef": {"name": "train-model"}},
        "status": {"phase": "Succeeded", "nodes": {}},
    }

    def server(request: httpx.Request) -> httpx.Response:
        requests.append(request)
        return httpx.Response(200, json=finished)

    target = make(FakeRunner(), http=httpx.Client(transport=httpx.MockTransport(server)))
    run = target.submit_workflow("train-model", {"endpoint-ip": target.endpoint_ip}, on_event=print)

    assert run.phase == "Succeeded"
    assert str(requests[0].url) == f"https://{IP}:2746/api/v1/workflows/argo-workflows/submit"
    assert json.loads(requests[0].content)["submitOptions"] == {"parameters": [f"endpoint-ip={IP}"]}
    assert requests[0].headers["Authorization"] == "Bearer from-env"


def test_defaults_and_description_name_every_address() -> None:
    target = connect("chameleon", floating_ip=IP, ssh_key=KEY)

    assert isinstance(target, ChameleonTarget)
    assert target.mlflow_uri == f"http://{IP}:8000"
    assert target.endpoint_ip == IP
    text = target.describe()
    for part in (
        f"cc@{IP}",
        "port 9090",
        f"http://{IP}:8000",
        f"https://{IP}:2746",
        "argo-workflows",
    ):
        assert part in text


@pytest.mark.parametrize("ip", ["", "A.B.C.D", "http://203.0.113.10", "203.0.113.10:2746"])
def test_an_unusable_floating_ip_is_refused_with_what_to_set(ip: str) -> None:
    with pytest.raises(ChameleonConfigError, match="set it in the parameters cell"):
        ChameleonTarget(floating_ip=ip)


def test_latest_run_reads_the_newest_workflow_of_a_template():
    """03 finds the build that followed: the newest Workflow with the template's label."""
    calls = []

    def handler(request: httpx.Request) -> httpx.Response:
        calls.append((request.method, str(request.url)))
        if request.url.path.endswith("/argo-workflows"):
            items = [
                {
                    "metadata": {
                        "name": "build-container-image-old",
                        "creationTimestamp": "2026-01-01T00:00:00Z",
                    }
                },
                {
                    "metadata": {
                        "name": "build-container-image-new",
                        "creationTimestamp": "2026-01-02T00:00:00Z",
                    }
                },
            ]
            return httpx.Response(200, json={"items": items})
        return httpx.Response(
            200,
            json={
                "metadata": {
                    "name": "build-container-image-new",
                    "labels": {"workflows.argoproj.io/workflow-template": "build-container-image"},
                },
                "spec": {"arguments": {"parameters": [{"name": "model-version", "value": "4"}]}},
                "status": {"phase": "Succeeded", "nodes": {}},
            },
        )

    target = ChameleonTarget(
        floating_ip="203.0.113.7",
        argo_token="t",
        runner=lambda argv, **kw: None,
        http=httpx.Client(transport=httpx.MockTransport(handler)),
        echo=lambda line: None,
    )
    run = target.latest_run("build-container-image")
    assert run is not None
    assert (run.name, run.phase, run.parameters) == (
        "build-container-image-new",
        "Succeeded",
        {"model-version": "4"},
    )
    assert calls[0][1].startswith("https://203.0.113.7:2746/api/v1/workflows/argo-workflows?")
    assert "workflow-template%3Dbuild-container-image" in calls[0][1]
