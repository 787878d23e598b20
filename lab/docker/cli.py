"""Run the ``docker`` CLI: argument lists, a timeout on every call, clear errors, streamed logs."""

from __future__ import annotations

import os
import subprocess
import threading
from collections.abc import Callable, Sequence
from pathlib import Path

from lab.docker.errors import DockerError, DockerTimeoutError, DockerUnavailableError
from lab.targets.commands import command_line

TAIL_LINES = 20


def docker_env() -> dict[str, str]:
    """The CLI's environment: the classic builder (the engine here has no buildx), no hints."""
    return {**os.environ, "DOCKER_BUILDKIT": "0", "DOCKER_CLI_HINTS": "false"}


def docker(
    *args: str, timeout_s: float = 120, check: bool = True, merge_stderr: bool = False
) -> subprocess.CompletedProcess[str]:
    """Run ``docker ARGS`` and capture its output; raise DockerError if it fails and ``check``.

    ``merge_stderr`` keeps stderr in stdout, in order (``docker logs`` replays a container's
    stderr on its own stderr).
    """
    argv = ["docker", *args]
    try:
        done = subprocess.run(
            argv,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT if merge_stderr else subprocess.PIPE,
            text=True,
            timeout=timeout_s,
            env=docker_env(),
            check=False,
            stdin=subprocess.DEVNULL,
        )
    except FileNotFoundError:
        raise DockerUnavailableError(
            "the `docker` program is not installed: run `make setup` as root (it installs "
            "Debian's docker.io), or use the lab without Docker (LAB_LOCAL_MODE=process)"
        ) from None
    except subprocess.TimeoutExpired:
        raise DockerTimeoutError(
            f"`{command_line(argv)}` did not finish within {timeout_s:g} s"
        ) from None
    if check and done.returncode != 0:
        raise DockerError(failure(argv, done.returncode, done.stderr or done.stdout))
    return done


def failure(argv: Sequence[str], code: int, output: str, log_path: Path | None = None) -> str:
    """The message for a failed docker command: the command, its exit code, its last lines."""
    lines = [line for line in output.splitlines() if line.strip()][-TAIL_LINES:]
    shown = "\n".join(f"  | {line}" for line in lines) or "  | (no output)"
    whole = f"; whole log: {log_path}" if log_path else ""
    return f"`{command_line(argv)}` failed (exit code {code}{whole}):\n{shown}"


def stream(
    argv: Sequence[str],
    *,
    log_path: Path,
    timeout_s: float,
    on_line: Callable[[str], None] = lambda _line: None,
    until: Callable[[str], bool] | None = None,
) -> str | None:
    """Run ``argv``, appending its merged output to ``log_path`` and passing each line on.

    With ``until``, stop the command at the first line for which it is true and return that
    line; otherwise wait for the command and raise DockerError if it fails. Either way the
    command is killed at ``timeout_s``.
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    proc = subprocess.Popen(
        list(argv),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        env=docker_env(),
    )
    expired = threading.Event()

    def expire() -> None:  # a silent command must not block us forever
        expired.set()
        proc.kill()

    timer = threading.Timer(timeout_s, expire)
    timer.start()
    found, recent = None, []
    try:
        with log_path.open("a", encoding="utf-8") as log:
            assert proc.stdout is not None
            for line in proc.stdout:
                log.write(line)
                log.flush()
                line = line.rstrip("\n")
                recent = [*recent[-TAIL_LINES + 1 :], line]
                on_line(line)
                if until is not None and until(line):
                    found = line
                    break
    finally:
        timer.cancel()
        if proc.poll() is None and (found is not None or until is not None):
            proc.kill()
        code = proc.wait(timeout=30)
    if found is not None:
        return found
    if expired.is_set():
        raise DockerTimeoutError(
            f"`{command_line(argv)}` did not finish within {timeout_s:g} s; log: {log_path}"
        )
    if until is None and code == 0:
        return None
    raise DockerError(failure(argv, code, "\n".join(recent), log_path))
