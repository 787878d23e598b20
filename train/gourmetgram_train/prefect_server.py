"""Prefect's API server beside the service: started once at start-up, stopped with the service."""

from __future__ import annotations

import ctypes
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from gourmetgram_train.http_probe import probe_client

#: The folder that holds this package, for the server's Python to import prefect_serve from.
PACKAGE_PARENT = str(Path(__file__).resolve().parents[1])


class PrefectServerError(RuntimeError):
    """Raised when the Prefect server exits or does not answer in time."""


def _free_port() -> int:
    """A free loopback port chosen by the OS."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _die_with_parent() -> None:
    """In the child: get SIGTERM if the service dies without stopping us (Linux only)."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


class PrefectServer:
    """`prefect server start --no-services` on a free loopback port, in its own process group."""

    def __init__(self, home: Path, port: int | None = None) -> None:
        self.home = home
        self.port = port or _free_port()
        self.log_path = home / "prefect-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    @property
    def api_url(self) -> str:
        """The URL clients use (PREFECT_API_URL)."""
        return f"http://127.0.0.1:{self.port}/api"

    def client_env(self) -> dict[str, str]:
        """Settings for Prefect clients in this process (set them before importing prefect)."""
        return {
            "PREFECT_HOME": str(self.home),
            "PREFECT_API_URL": self.api_url,
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            # Flow and task logs go to the service's own log, not into the private server.
            "PREFECT_LOGGING_TO_API_ENABLED": "false",
            # Plain text: the log is read from files and notebooks, where colour codes are noise
            # (rich colours it anyway when, as in a Jupyter kernel, FORCE_COLOR is set).
            "PREFECT_LOGGING_COLORS": "false",
        }

    def start(self) -> None:
        """Launch the server (returns at once; wait_ready() waits for it)."""
        self.home.mkdir(parents=True, exist_ok=True)
        env = {
            **os.environ,
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "false",
            "PREFECT_SERVER_LOGGING_LEVEL": "WARNING",
            "PREFECT_LOGGING_COLORS": "false",
            # The service's flows use no blocks; writing Prefect's block catalogue into the
            # database cost 1.4 s of the server's 8.7 s of start-up CPU, at every start (its
            # memo is keyed by the database's path, so a fresh state never skips it).
            "PREFECT_API_BLOCKS_REGISTER_ON_START": "false",
        }
        env.pop("PREFECT_API_URL", None)
        # prefect_serve is found wherever the service was started from (a test's folder).
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [PACKAGE_PARENT, env.get("PYTHONPATH")]))
        with self.log_path.open("ab") as log:
            self.process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "gourmetgram_train.prefect_serve",  # `prefect`, starting sooner
                    "server",
                    "start",
                    "--no-services",
                    "--host",
                    "127.0.0.1",
                    "--port",
                    str(self.port),
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                env=env,
                start_new_session=True,
                preexec_fn=_die_with_parent,  # safe: called before the service starts threads
            )

    def log_tail(self, lines: int = 20) -> str:
        """The last lines of the server's log."""
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except FileNotFoundError:
            return ""

    def is_running(self) -> bool:
        """Whether the server process is alive."""
        return self.process is not None and self.process.poll() is None

    def wait_ready(self, timeout_s: float = 120) -> None:
        """Wait until /api/ready answers 200; raise PrefectServerError with its log otherwise.

        /api/ready answers once the server reaches its database (/api/health, as soon as it
        listens): the first flow run then does not wait for the database to be opened.
        """
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline:
            if not self.is_running():
                code = self.process.returncode if self.process else None
                raise PrefectServerError(
                    f"the Prefect server exited (code {code}) during start-up; "
                    f"last lines of {self.log_path}:\n{self.log_tail()}"
                )
            try:
                if probe_client().get(f"{self.api_url}/ready", timeout=5).status_code == 200:
                    return
            except httpx.HTTPError:
                pass
            time.sleep(0.1)
        raise PrefectServerError(
            f"the Prefect server did not answer at {self.api_url}/ready within {timeout_s:.0f} s; "
            f"last lines of {self.log_path}:\n{self.log_tail()}"
        )

    def stop(self, timeout_s: float = 10) -> None:
        """SIGTERM the server's process group, SIGKILL it after timeout_s, and reap it."""
        if self.process is None or self.process.poll() is not None:
            return
        os.killpg(self.process.pid, signal.SIGTERM)
        try:
            self.process.wait(timeout=timeout_s)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=5)
