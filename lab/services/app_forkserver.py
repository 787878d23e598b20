"""Start the app for process mode's build check from a fork server with its libraries imported.

In process mode the build step checks the app by starting it from the build context (see
lab/targets/local_build.py). A fresh Python spends about 4 s here importing torch, the
torch.export loader and FastAPI before it loads the model: the same libraries for every
build, the image's pip layer. So the check starts the app from a fork server (a lab service,
``python -m lab.services.app_forkserver SOCKET``) that imports those libraries (PRELOAD)
once, in the background (:func:`preload`: once the local services are up, and at the latest
when a workflow that may build is submitted). Each check is still a new process in its own
session, with its own log and PID record, stopped by PID: it imports the app's own code from
the build context (no module of the app is preloaded, and the lab's folders are off its
path), loads the context's model and serves, as
``python -m gourmetgram_app`` in the context does.
"""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import runpy
import signal
import socket
import sys
import tempfile
import time
import traceback
from pathlib import Path

import psutil

from lab.services.app import APP_NAME, app_env
from lab.services.errors import ServiceTimeoutError
from lab.services.ports import free_port
from lab.services.process import (
    Service,
    find_service,
    launch,
    logs_dir,
    record_service,
    until_ready,
    wait_for_http,
)
from lab.services.startup_gc import collector_paused

FORKSERVER_NAME = "gourmetgram-app-forkserver"
#: The app's third-party imports, and what torch.export's loader imports on a model's first
#: load (its tracer, with networkx, sympy and inductor's caches): imported once here, they are
#: shared by every child instead of imported by each. The private names are only a head
#: start: one that a later torch lacks is skipped, and the child imports what it needs.
PRELOAD = (
    "torch",
    "torch.export",
    "torch.export._trace",
    "torch.export.pt2_archive._package",
    "PIL.Image",
    "fastapi",
    "uvicorn",
    "pydantic_settings",
)


def socket_path(state_dir: Path) -> Path:
    """Where the fork server of this state folder listens: a Unix socket in the temp folder.

    Not in the state folder itself: a socket's path may be only 107 bytes long.
    """
    digest = hashlib.sha256(str(state_dir.resolve()).encode()).hexdigest()[:16]
    return Path(tempfile.gettempdir()) / f"gourmetgram-app-forkserver-{digest}.sock"


def preload(state_dir: Path) -> Service:
    """Start the fork server unless it runs; it imports PRELOAD in the background."""
    if (running := find_service(FORKSERVER_NAME, state_dir)) is not None:
        return running
    path = socket_path(state_dir)
    path.unlink(missing_ok=True)  # left by a server that was killed
    return launch(
        FORKSERVER_NAME,
        [sys.executable, "-m", "lab.services.app_forkserver", str(path)],
        state_dir=state_dir,
        url=f"unix:{path}",
        port=None,
    )


def _fork(server: Service, request: dict[str, str], timeout_s: float) -> int:
    """Ask the fork server for a child serving ``request``; return its PID."""
    path = server.url.removeprefix("unix:")
    deadline = time.monotonic() + timeout_s
    while True:  # the server listens once its imports are done
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as connection:
                connection.settimeout(timeout_s)
                connection.connect(path)
                connection.sendall(json.dumps(request).encode() + b"\n")
                return int(json.loads(connection.makefile().readline())["pid"])
        except (FileNotFoundError, ConnectionRefusedError):
            if not server.is_running() or time.monotonic() > deadline:
                raise ServiceTimeoutError(
                    f"{FORKSERVER_NAME} did not listen on {path} within {timeout_s:.0f} s. "
                    f"Last lines of {server.log_path}:\n{server.log_tail()}"
                ) from None
            time.sleep(0.1)


def start_app_preloaded(context: Path, state_dir: Path, *, timeout_s: float = 120) -> Service:
    """Start the app from ``context`` as a child of the fork server; wait for /health."""
    port = free_port()
    log_path = logs_dir(state_dir) / f"{APP_NAME}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log_path.write_bytes(b"")  # a fresh log per start, as launch() gives
    env = {**app_env(), "HOST": "127.0.0.1", "PORT": str(port)}
    request = {"context": str(context), "env": env, "log_path": str(log_path)}
    pid = _fork(preload(state_dir), request, timeout_s)
    url = f"http://127.0.0.1:{port}"
    service = Service(APP_NAME, pid, url, log_path, psutil.Process(pid).create_time())
    record_service(state_dir, service)
    return until_ready(service, state_dir, lambda s: wait_for_http(s, "/health", timeout_s))


def _serve(context: str, env: dict[str, str], log_path: str) -> int:
    """In the forked child: become `python -m gourmetgram_app` run in ``context``."""
    os.setsid()  # its own process group, as the lab's services have: stopped as one
    log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o644)
    for fd in (1, 2):
        os.dup2(log, fd)
    os.close(log)
    os.chdir(context)
    os.environ.clear()
    os.environ.update(env)
    # As `python -m` in the context: the context first, then only the interpreter's own
    # folders (stdlib, site-packages); the lab's folders are not there.
    prefixes = (sys.prefix, sys.base_prefix)
    sys.path[:] = [context, *(p for p in sys.path if p.startswith(prefixes))]
    sys.argv = [str(Path(context) / "gourmetgram_app" / "__main__.py")]
    try:
        runpy.run_module("gourmetgram_app", run_name="__main__", alter_sys=True)
    except SystemExit as done:
        return done.code if isinstance(done.code, int) else (0 if done.code is None else 1)
    return 0


def serve_forks(path: Path) -> None:
    """The fork server: import PRELOAD, then fork one app per request on the socket."""
    with collector_paused():  # lab/services/startup_gc.py
        for name in PRELOAD:
            try:
                importlib.import_module(name)
            except ImportError as error:  # see PRELOAD: the children import it if they need it
                print(f"not preloaded: {name} ({error})", flush=True)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # the children are reaped as they end

    def stop(signum: int, frame: object) -> None:
        path.unlink(missing_ok=True)
        os._exit(0)  # nothing to save, and tearing torch down would take a second or two

    signal.signal(signal.SIGTERM, stop)
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as listener:
        listener.bind(str(path))
        listener.listen()
        _accept_forever(listener)


def _accept_forever(listener: socket.socket) -> None:
    """Fork one app per request; the child never returns from here."""
    while True:
        connection, _ = listener.accept()
        with connection:
            request = json.loads(connection.makefile().readline())
            pid = os.fork()
            if pid == 0:
                listener.close()
                connection.close()
                for signum in (signal.SIGCHLD, signal.SIGTERM):
                    signal.signal(signum, signal.SIG_DFL)
                code = 1
                try:
                    code = _serve(**request)
                except BaseException:  # into the app's log, as a fresh `python` would
                    traceback.print_exc()
                finally:
                    sys.stdout.flush()
                    sys.stderr.flush()
                    os._exit(code)
            connection.sendall(json.dumps({"pid": pid}).encode() + b"\n")


if __name__ == "__main__":
    serve_forks(Path(sys.argv[1]))
