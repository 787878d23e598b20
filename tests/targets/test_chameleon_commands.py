"""Tests for lab.targets.commands: the student's commands as argv lists and as shell lines."""

from __future__ import annotations

import pytest

from lab.targets import commands
from lab.targets.commands import command_line


def test_git_clone_fetches_only_the_newest_commit() -> None:
    argv = commands.git_clone("https://example.org/gourmetgram-lab.git")

    assert command_line(argv) == (
        "git clone --depth 1 https://example.org/gourmetgram-lab.git ~/gourmetgram-lab"
    )


def test_docker_run_has_the_contract_flags() -> None:
    assert commands.docker_run("http://203.0.113.10:8000") == [
        "docker", "run", "--rm", "-d", "-p", "9090:8000",
        "-e", "MLFLOW_TRACKING_URI=http://203.0.113.10:8000/",
        "-e", "GIT_PYTHON_REFRESH=quiet",
        "--name", "gourmetgram-train", "gourmetgram-train",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (commands.docker_logs(), "docker logs gourmetgram-train"),
        (commands.docker_logs(40), "docker logs --tail 40 gourmetgram-train"),
        (commands.docker_logs(follow=True), "docker logs -f gourmetgram-train"),
        (commands.docker_stop(), "docker stop gourmetgram-train"),
        (commands.docker_build("~/lab/"), "docker build -t gourmetgram-train ~/lab/train/"),
        (
            commands.argo_submit("build-container-image", {"model-version": "3", "x": "a b"}),
            "argo submit --from workflowtemplate/build-container-image -p model-version=3 "
            "-p 'x=a b' -n argo",
        ),
        (
            commands.argo_watch("train-model-abc12"),
            "argo watch train-model-abc12 -n argo",
        ),
        (commands.argo_list(), "argo list -n argo"),
        (
            commands.kubectl_port_forward(2746),
            "kubectl -n argo port-forward svc/argo-server 2746:2746",
        ),
        (
            commands.ssh_forward("cc@203.0.113.10", 2746, 2746),
            "ssh -L 2746:127.0.0.1:2746 cc@203.0.113.10",
        ),
        (
            commands.git_clone("https://example.org/lab.git", branch="main"),
            "git clone --depth 1 --branch main https://example.org/lab.git ~/gourmetgram-lab",
        ),
    ],
)
def test_command_lines(argv: list[str], line: str) -> None:
    assert command_line(argv) == line


def test_docker_logs_refuses_a_tail_below_one() -> None:
    with pytest.raises(ValueError, match="tail must be at least 1"):
        commands.docker_logs(0)
