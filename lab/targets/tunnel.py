"""The way to the course's Argo Server: ``kubectl port-forward`` on node1, ``ssh -L`` here.

argo-server is a ClusterIP Service and port 2746 is closed on the floating IP, so the
course reaches it through node1. This does the same with two SSH processes, both stopped
by PID on :meth:`Tunnel.close`: one runs ``kubectl -n argo port-forward svc/argo-server
:2746`` on node1 (``-tt``, so it ends with the connection), the other forwards a free local
port to the port kubectl picked. The commands a student would type are shown first.
"""

from __future__ import annotations

import atexit
import collections
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from typing import Any

from lab.targets.commands import (
    ARGO_PORT,
    command_line,
    kubectl_port_forward,
    ssh_forward,
)
from lab.targets.ssh import RemoteShell

FORWARDING = re.compile(r"Forwarding from 127\.0\.0\.1:(\d+) -> " + str(ARGO_PORT))
START_TIMEOUT_S = 60
STOP_TIMEOUT_S = 5


class TunnelError(RuntimeError):
    """Raised when the way to the Argo Server through node1 cannot be opened."""


def free_port() -> int:
    """A TCP port on loopback that nothing listens on now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _die_with_parent() -> None:
    """Linux: SIGTERM to the child if the Python that started it dies (a killed kernel)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


# A kernel that exits normally closes its tunnels; on Linux one that is killed does too.
CHILD_OPTIONS = {"preexec_fn": _die_with_parent} if sys.platform == "linux" else {}


def _stop(process: subprocess.Popen[str] | None) -> None:
    """Stop one process we started, by its PID: terminate, then kill if it lingers."""
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=STOP_TIMEOUT_S)


class Tunnel:
    """``https://127.0.0.1:PORT`` here, reaching ``svc/argo-server`` in the cluster via node1."""

    def __init__(
        self,
        shell: RemoteShell,
        *,
        namespace: str,
        echo: Callable[[str], Any] = print,
        start_timeout_s: float = START_TIMEOUT_S,
    ) -> None:
        self.shell = shell
        self.namespace = namespace
        self._echo = echo
        self.start_timeout_s = start_timeout_s
        self.local_port: int | None = None
        self.remote_port: int | None = None
        self._remote: subprocess.Popen[str] | None = None
        self._local: subprocess.Popen[str] | None = None
        self._output: collections.deque[str] = collections.deque(maxlen=40)

    @property
    def url(self) -> str:
        """The Argo Server's URL here (the tunnel must be open)."""
        if self.local_port is None:
            raise TunnelError("the tunnel to the Argo Server is not open")
        return f"https://127.0.0.1:{self.local_port}"

    def is_open(self) -> bool:
        """Whether both SSH processes still run."""
        return all(p is not None and p.poll() is None for p in (self._remote, self._local))

    def open(self) -> str:
        """Open the tunnel (or keep the one that is open); return the local URL."""
        if self.is_open():
            return self.url
        self.close()
        self.shell.check_key()
        destination = self.shell.destination
        self._echo("# The Argo Server is reached through node1, as the course reaches its UI:")
        self._echo(
            f"$ {command_line(kubectl_port_forward(ARGO_PORT, self.namespace))}   # on node1"
        )
        self._echo(f"$ {command_line(ssh_forward(destination, ARGO_PORT, ARGO_PORT))}   # here")
        atexit.register(self.close)
        try:
            self.remote_port = self._start_port_forward()
            self.local_port = free_port()
            self._start_local_forward(self.local_port, self.remote_port)
        except BaseException:
            self.close()
            raise
        self._echo(
            f"# both run in the background now: node1 port {self.remote_port} -> "
            f"{self.namespace}/argo-server:{ARGO_PORT}, and {self.url} here -> node1 port "
            f"{self.remote_port}; closed by lab.stop()"
        )
        return self.url

    def close(self) -> None:
        """Stop both SSH processes (node1's port-forward ends with its connection)."""
        _stop(self._local)
        _stop(self._remote)
        self._local = self._remote = None
        self.local_port = self.remote_port = None

    def output(self) -> str:
        """The last lines that node1's port-forward printed."""
        return "\n".join(self._output)

    # -- the two processes ---------------------------------------------------------------

    def _start_port_forward(self) -> int:
        """Start kubectl port-forward on node1; return the port it listens on there."""
        remote = command_line(kubectl_port_forward("", self.namespace))
        argv = [*self.shell.options(), "-tt", self.shell.destination, remote]
        self._remote = subprocess.Popen(
            argv, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True, errors="replace", **CHILD_OPTIONS,
        )  # fmt: skip
        found: list[int] = []
        ready = threading.Event()

        def read() -> None:
            """Keep reading: kubectl prints a line per connection, and a full pipe stalls it."""
            assert self._remote is not None and self._remote.stdout is not None
            for raw in self._remote.stdout:
                line = raw.strip()
                self._output.append(line)
                if (match := FORWARDING.search(line)) and not found:
                    found.append(int(match.group(1)))
                    ready.set()
                elif not FORWARDING.search(line) and not found and line:
                    self._echo(f"# node1: {line}")
            ready.set()

        threading.Thread(target=read, name="argo-port-forward", daemon=True).start()
        ready.wait(self.start_timeout_s)
        if found:
            return found[0]
        raise TunnelError(self._port_forward_failed(remote))

    def _port_forward_failed(self, remote: str) -> str:
        """Why ``kubectl port-forward`` on node1 did not start, and what to check."""
        said = self.output() or "(no output)"
        low = said.lower()
        if "command not found" in low or "no such file" in low:
            fix = "kubectl is not on node1's PATH: is this node1 of your Kubernetes cluster?"
        elif "notfound" in low.replace(" ", "") or "not found" in low:
            fix = (
                f"there is no argo-server Service in namespace {self.namespace!r}: set "
                "argo_namespace to where Argo is installed (the course uses 'argo'; on node1, "
                "`kubectl get svc -A | grep argo-server` shows it)"
            )
        elif "forbidden" in low:
            fix = f"the user on node1 may not port-forward in {self.namespace!r} (RBAC)"
        elif self._remote is not None and self._remote.poll() == 255:
            fix = "ssh could not log in to node1: check floating_ip, ssh_key and port 22"
        else:
            fix = f"it printed nothing like 'Forwarding from' within {self.start_timeout_s:g} s"
        failed = f"could not open the tunnel to the Argo Server: `{remote}` on node1 failed"
        return f"{failed}:\n{said}\n{fix}"

    def _start_local_forward(self, local_port: int, remote_port: int) -> None:
        """``ssh -N -L`` from a local port to node1's port; wait until it accepts."""
        forward = f"127.0.0.1:{local_port}:127.0.0.1:{remote_port}"
        argv = [*self.shell.options(), "-N", "-o", "ExitOnForwardFailure=yes", "-L", forward]
        self._local = subprocess.Popen(
            [*argv, self.shell.destination],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
            text=True, errors="replace", **CHILD_OPTIONS,
        )  # fmt: skip
        deadline = time.monotonic() + self.start_timeout_s
        while time.monotonic() < deadline:
            if self._local.poll() is not None:
                error = self._local.stderr.read() if self._local.stderr else ""
                raise TunnelError(
                    f"`{command_line([*argv, self.shell.destination])}` stopped: {error.strip()}"
                )
            try:
                with socket.create_connection(("127.0.0.1", local_port), timeout=1):
                    return
            except OSError:
                time.sleep(0.2)
        raise TunnelError(f"the local end of the tunnel, 127.0.0.1:{local_port}, never opened")
