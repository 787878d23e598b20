"""lab.docker.cli: streamed commands stop at the wanted line, time out, and fail with their tail."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.docker.cli import failure, stream
from lab.docker.errors import DockerError, DockerTimeoutError


def test_stream_returns_the_first_matching_line_and_logs_what_came(tmp_path: Path) -> None:
    log = tmp_path / "x.log"
    seen: list[str] = []
    script = "echo starting; echo 'Uvicorn running on x'; sleep 30"
    line = stream(
        ["sh", "-c", script],
        log_path=log,
        timeout_s=20,
        on_line=seen.append,
        until=lambda text: "Uvicorn" in text,
    )
    assert line == "Uvicorn running on x"
    assert seen == ["starting", "Uvicorn running on x"]
    assert log.read_text() == "starting\nUvicorn running on x\n"


def test_stream_fails_with_the_last_lines_when_the_line_never_comes(tmp_path: Path) -> None:
    with pytest.raises(DockerError, match=r"exit code 3; whole log: .*\n  \| gone"):
        stream(
            ["sh", "-c", "echo gone; exit 3"],
            log_path=tmp_path / "x.log",
            timeout_s=20,
            until=lambda text: "never" in text,
        )


def test_stream_kills_a_silent_command_at_its_time_limit(tmp_path: Path) -> None:
    with pytest.raises(DockerTimeoutError, match="did not finish within 1 s"):
        stream(["sleep", "30"], log_path=tmp_path / "x.log", timeout_s=1)


def test_a_successful_command_without_until_returns_none(tmp_path: Path) -> None:
    assert stream(["true"], log_path=tmp_path / "x.log", timeout_s=10) is None


def test_failure_names_the_command_and_says_when_there_was_no_output() -> None:
    message = failure(["docker", "push", "a b"], 1, "")
    assert message == "`docker push 'a b'` failed (exit code 1):\n  | (no output)"
