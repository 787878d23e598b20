"""JupyterLab for the course: the repository served, notebooks/ opened, on a free loopback port.

``make jupyter`` (``python -m lab.jupyter``) starts it, prints the address to open and
waits; Ctrl+C stops it. The browser test starts the same server with its own settings.
JupyterLab runs from its own environment beside the lab's (``.venv-jupyter`` beside
``.venv``, made by setup; requirements-jupyter.txt says why); the kernels it starts run in
the lab's, through the project's kernelspec.
"""

from __future__ import annotations

import os
import secrets
import signal
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import psutil

from lab.paths import repo_root, state_dir
from lab.services.ports import free_port
from lab.services.process import Service, launch, stop_service, until_ready, wait_for_http

NAME = "jupyterlab"
COURSE_PATH = "lab/tree/notebooks"
"""Where the course opens: the notebooks folder in JupyterLab's file browser."""
HOST = "127.0.0.1"


class JupyterMissingError(RuntimeError):
    """Raised when JupyterLab's environment has not been set up."""


def jupyter_python() -> Path:
    """JupyterLab's Python: LAB_JUPYTER_PYTHON, else ``<this venv>-jupyter/bin/python``."""
    python = Path(os.environ.get("LAB_JUPYTER_PYTHON") or f"{sys.prefix}-jupyter/bin/python")
    if not python.is_file():
        raise JupyterMissingError(
            f"JupyterLab's environment is missing ({python}): run `make setup`, "
            "or set LAB_JUPYTER_PYTHON to a Python that has requirements-jupyter.txt"
        )
    return python


def server_env(token: str) -> dict[str, str]:
    """The server's environment: the token, and this environment's kernelspecs first."""
    kernels_here = str(Path(sys.prefix) / "share" / "jupyter")  # lab.kernels installs there
    path = os.pathsep.join(p for p in (kernels_here, os.environ.get("JUPYTER_PATH")) if p)
    return {**os.environ, "JUPYTER_TOKEN": token, "JUPYTER_PATH": path}


@dataclass(frozen=True)
class JupyterLab:
    """A running JupyterLab server: its process and the token that opens it."""

    service: Service
    token: str
    folder: Path
    """Where its log and PID record are."""

    def url(self, path: str = COURSE_PATH) -> str:
        """The address of ``path`` (say ``lab/tree/notebooks/X.ipynb``), token included."""
        return f"{self.service.url}/{path}?token={self.token}"


def server_command(
    root: Path, port: int, *, open_browser: bool, extra: Sequence[str] = ()
) -> list[str]:
    """The ``jupyter lab`` command line: ``root`` served, the course opened, loopback only."""
    return [
        str(jupyter_python()),
        "-m",
        "jupyterlab",
        f"--ServerApp.root_dir={root}",
        f"--ServerApp.ip={HOST}",
        f"--ServerApp.port={port}",
        "--ServerApp.port_retries=0",
        f"--ServerApp.open_browser={open_browser}",
        f"--LabApp.default_url=/{COURSE_PATH}",
        # Jupyter refuses root unless told; this lab's machines and CI run as root.
        *(["--ServerApp.allow_root=True"] if os.geteuid() == 0 else []),
        *extra,
    ]


def start(
    folder: Path | None = None,
    *,
    open_browser: bool = False,
    extra: Sequence[str] = (),
    timeout_s: float = 120,
) -> JupyterLab:
    """Start JupyterLab in the background and wait until it answers.

    Its log and PID record go under ``folder`` (default ``.lab/jupyter``), apart from the
    local services', so ``python -m lab stop`` leaves an open JupyterLab alone.
    """
    root = repo_root()
    folder = folder or state_dir() / "jupyter"
    port = int(os.environ.get("JUPYTER_PORT") or free_port(HOST))
    token = secrets.token_hex(24)
    service = launch(
        NAME,
        server_command(root, port, open_browser=open_browser, extra=extra),
        state_dir=folder,
        url=f"http://{HOST}:{port}",
        port=port,
        # The token goes through the environment, not the command line that `ps` shows.
        env=server_env(token),
        cwd=root,
    )
    until_ready(service, folder, lambda s: wait_for_http(s, "/api", timeout_s=timeout_s))
    return JupyterLab(service, token, folder)


def stop(server: JupyterLab, timeout_s: float = 10) -> None:
    """Stop the server, then any kernel it left running.

    The server shuts its kernels down when it stops; a kernel runs in its own process
    group, so one that outlives the server is stopped here, by its PID.
    """
    try:
        kernels = psutil.Process(server.service.pid).children()
    except psutil.Error:
        kernels = []
    stop_service(server.service, server.folder)
    left = [proc for proc in kernels if proc.is_running()]
    for proc in left:
        proc.terminate()
    _, alive = psutil.wait_procs(left, timeout=timeout_s)
    for proc in alive:
        proc.kill()


def has_display() -> bool:
    """Whether a browser window can open here (a desktop session), not over plain SSH."""
    return sys.platform == "darwin" or bool(
        os.environ.get("DISPLAY") or os.environ.get("WAYLAND_DISPLAY")
    )


def _interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt


def main() -> int:
    """Start JupyterLab on the course, print its address, and wait until Ctrl+C."""
    # SIGTERM (`timeout`, kill) and SIGHUP (a closed terminal) stop the server as Ctrl+C does.
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    server = start(open_browser=has_display())
    print(f"JupyterLab is serving the course (log: {server.service.log_path}). Open:")
    print(f"    {server.url()}")
    print("Press Ctrl+C to stop it.", flush=True)
    try:
        while server.service.is_running():
            time.sleep(1)
    except KeyboardInterrupt:
        print("\nstopping JupyterLab", flush=True)
    finally:
        stop(server)
    return 0


if __name__ == "__main__":
    sys.exit(main())
