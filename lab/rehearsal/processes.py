"""Run a step's process as a pod runs its main container: own session, logged, stopped whole.

stdout and stderr of every attempt go to the node's log file; stdout is also kept as the
step's result. When the process ends or times out, whatever it left in its session is
killed, as a pod's processes end with its main container.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import threading
from pathlib import Path
from typing import Any

MAX_RESULT = 256 * 1024  # Argo keeps at most the last 256 kB of stdout as outputs.result


class NodeLog:
    """A node's log file: stdout and stderr of every attempt, plus the rehearsal's own notes."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._lock = threading.Lock()
        path.parent.mkdir(parents=True, exist_ok=True)
        path.touch()

    def write(self, line: str) -> None:
        """Append one line (a newline is added)."""
        self.write_bytes((line.rstrip("\n") + "\n").encode())

    def write_bytes(self, data: bytes) -> None:
        """Append raw output."""
        with self._lock, self.path.open("ab") as handle:
            handle.write(data)


def run_process(
    argv: list[str], *, cwd: Path, env: dict[str, str], log: NodeLog, timeout: float
) -> tuple[int | None, str]:
    """Run ``argv``, its output to the log; return (exit code, or None on timeout; stdout)."""
    stdout: list[bytes] = []
    proc = subprocess.Popen(
        argv,
        cwd=cwd,
        env=env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    readers = [
        threading.Thread(target=_pump, args=(proc.stdout, log, stdout), daemon=True),
        threading.Thread(target=_pump, args=(proc.stderr, log, None), daemon=True),
    ]
    for reader in readers:
        reader.start()
    code: int | None = None
    try:
        code = proc.wait(timeout=max(timeout, 0.001))
    except subprocess.TimeoutExpired:
        _kill_group(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            _kill_group(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)
    finally:  # also on KeyboardInterrupt: nothing of the step outlives it
        _kill_group(proc.pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.wait(timeout=5)
        for reader in readers:
            reader.join(timeout=5)
    return code, b"".join(stdout).decode("utf-8", errors="replace")


def _pump(stream: Any, log: NodeLog, keep: list[bytes] | None) -> None:
    """Copy one pipe to the log (and keep it, for stdout)."""
    for chunk in iter(lambda: stream.readline(), b""):
        log.write_bytes(chunk)
        if keep is not None:
            keep.append(chunk)
    stream.close()


def _kill_group(pid: int, sig: signal.Signals) -> None:
    """Signal the process group the step started in (its PID), if anything is left in it."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pid, sig)


def trim_output(text: str, log: NodeLog | None = None) -> str:
    """Argo's result: one trailing newline dropped, and at most the last 256 kB kept."""
    text = text[:-1] if text.endswith("\n") else text
    if len(text.encode()) > MAX_RESULT:
        if log:
            log.write("rehearsal: output is larger than 256 kB; only the last 256 kB are kept")
        text = text.encode()[-MAX_RESULT:].decode("utf-8", errors="replace")
    return text
