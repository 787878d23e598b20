"""Tests for lab.targets.ssh: the exact ssh argv, what the student sees, and failure messages."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from lab.targets.commands import command_line, docker_build
from lab.targets.ssh import RemoteShell, SSHCommandError, SSHError, SSHTimeoutError

IP = "203.0.113.10"


class FakeRunner:
    """Records each argv and answers with scripted results (or raises scripted errors)."""

    def __init__(self, *results: subprocess.CompletedProcess[str] | BaseException) -> None:
        self.results = list(results)
        self.calls: list[tuple[list[str], float]] = []

    def __call__(self, argv: list[str], *, timeout: float) -> subprocess.CompletedProcess[str]:
        self.calls.append((argv, timeout))
        result = self.results.pop(0)
        if isinstance(result, BaseException):
            raise result
        return result


def done(returncode: int = 0, stdout: str = "", stderr: str = "") -> subprocess.CompletedProcess:
    return subprocess.CompletedProcess([], returncode, stdout, stderr)


@pytest.fixture
def home_key(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    """A key at ~/.ssh/id_rsa_chameleon under a temporary HOME."""
    monkeypatch.setenv("HOME", str(tmp_path))
    (tmp_path / ".ssh").mkdir()
    (tmp_path / ".ssh" / "id_rsa_chameleon").write_text("not a real key\n")
    return "~/.ssh/id_rsa_chameleon"


def test_argv_and_echo_are_the_exact_command(home_key: str) -> None:
    runner, shown = FakeRunner(done()), []
    shell = RemoteShell(IP, key=home_key, runner=runner, echo=shown.append)

    shell.run(docker_build(), timeout_s=1800)

    argv, timeout = runner.calls[0]
    assert argv == [
        "ssh",
        "-o",
        "BatchMode=yes",
        "-o",
        "StrictHostKeyChecking=accept-new",
        "-o",
        "ConnectTimeout=15",
        "-i",
        "~/.ssh/id_rsa_chameleon",
        "cc@203.0.113.10",
        "docker build -t gourmetgram-train ~/gourmetgram-lab/train/",
    ]
    assert timeout == 1800
    assert shown == [
        "$ ssh -o BatchMode=yes -o StrictHostKeyChecking=accept-new -o ConnectTimeout=15 "
        "-i ~/.ssh/id_rsa_chameleon cc@203.0.113.10 "
        "'docker build -t gourmetgram-train ~/gourmetgram-lab/train/'"
    ]


def test_without_key_ssh_uses_its_default_and_merges_stderr_when_asked() -> None:
    runner = FakeRunner(done(stdout="log line\n"))
    shell = RemoteShell(IP, user="ubuntu", runner=runner, echo=lambda _: None)

    result = shell.run(["docker", "logs", "gourmetgram-train"], timeout_s=60, merge_stderr=True)

    assert result.stdout == "log line\n"
    assert runner.calls[0][0][-3:] == [
        "ConnectTimeout=15",
        "ubuntu@203.0.113.10",
        "docker logs gourmetgram-train 2>&1",
    ]


@pytest.mark.parametrize(
    ("argv", "line"),
    [
        (
            ["git", "clone", "--depth", "1", "https://x/y.git", "~/lab"],
            "git clone --depth 1 https://x/y.git ~/lab",
        ),
        (["docker", "build", "~/my lab/train/"], "docker build ~/'my lab/train/'"),
        (["echo", "~"], "echo '~'"),
        (["echo", "it's"], "echo 'it'\"'\"'s'"),
    ],
)
def test_command_line_quotes_like_shlex_but_keeps_home(argv: list[str], line: str) -> None:
    assert command_line(argv) == line


def test_ssh_failure_names_command_code_stderr_and_what_to_check(home_key: str) -> None:
    denied = "cc@203.0.113.10: Permission denied (publickey).\n"
    shell = RemoteShell(IP, key=home_key, runner=FakeRunner(done(255, stderr=denied)), echo=print)

    with pytest.raises(SSHCommandError) as caught:
        shell.run(["docker", "stop", "gourmetgram-train"], timeout_s=60, check=False)

    message = str(caught.value)
    assert caught.value.returncode == 255
    assert "exit code 255" in message
    assert "'docker stop gourmetgram-train'" in message
    assert "Permission denied (publickey)" in message
    for check in ("key path (~/.ssh/id_rsa_chameleon)", "floating IP", "security group"):
        assert check in message


def test_remote_failure_shows_stderr_tail_and_hint() -> None:
    stderr = "".join(f"step {i}\n" for i in range(30)) + "ERROR: path not found\n"
    shell = RemoteShell(IP, runner=FakeRunner(done(1, stderr=stderr)), echo=lambda _: None)

    with pytest.raises(SSHCommandError) as caught:
        shell.run(docker_build(), timeout_s=10, hint="Clone the repository first.")

    message = str(caught.value)
    assert "exit code 1" in message
    assert "ERROR: path not found" in message
    assert "step 29" in message and "step 5\n" not in message  # only the tail
    assert message.endswith("Clone the repository first.")


def test_timeout_says_which_command_and_what_to_check() -> None:
    expired = subprocess.TimeoutExpired(["ssh"], 5)
    shell = RemoteShell(IP, runner=FakeRunner(expired), echo=lambda _: None)

    with pytest.raises(
        SSHTimeoutError, match=r"no answer within 5 s .*docker logs.*203\.0\.113\.10"
    ):
        shell.run(["docker", "logs", "gourmetgram-train"], timeout_s=5)


def test_missing_key_fails_before_running_anything(tmp_path: Path) -> None:
    runner = FakeRunner()
    shell = RemoteShell(IP, key=str(tmp_path / "nope"), runner=runner, echo=lambda _: None)

    with pytest.raises(SSHError, match=r"SSH key not found: .*nope.*set ssh_key"):
        shell.run(["docker", "ps"], timeout_s=5)
    assert runner.calls == []
