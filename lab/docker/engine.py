"""Whether a Docker engine answers here, and where containers reach the host."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess

import psutil

from lab.docker.cli import docker
from lab.docker.errors import DockerError

MODE_VARIABLE = "LAB_LOCAL_MODE"
"""``docker`` or ``process`` forces the local target's mode; empty: docker when one answers."""


def engine_available(timeout_s: float = 10) -> bool:
    """Whether the ``docker`` CLI is installed and its engine answers ``docker version``."""
    if shutil.which("docker") is None:
        return False
    try:
        docker("version", "--format", "{{.Server.Version}}", timeout_s=timeout_s)
    except (DockerError, subprocess.SubprocessError):
        return False
    return True


def local_mode() -> str:
    """``docker`` or ``process``: the variable ``LAB_LOCAL_MODE`` if set, else what answers."""
    forced = os.environ.get(MODE_VARIABLE, "").strip().lower()
    if forced in ("docker", "process"):
        return forced
    if forced:
        raise ValueError(f"{MODE_VARIABLE}={forced!r}: use 'docker', 'process' or leave it empty")
    return "docker" if engine_available() else "process"


def bridge_gateway() -> str:
    """The host's address on Docker's default bridge: what a container uses to reach the host.

    A service on the host that containers must reach (MLflow for the training container)
    listens there, not on 127.0.0.1, which inside a container is the container itself.
    """
    done = docker("network", "inspect", "bridge", timeout_s=30)
    try:
        network = json.loads(done.stdout)[0]
        configs = network["IPAM"]["Config"] or []
        if gateway := next((str(c["Gateway"]) for c in configs if c.get("Gateway")), None):
            return gateway
        # The default bridge often names no gateway: it is the bridge interface's address.
        interface = network["Options"].get("com.docker.network.bridge.name", "docker0")
    except (ValueError, LookupError, TypeError, AttributeError) as exc:
        raise DockerError(f"unexpected `docker network inspect bridge` answer: {exc}") from exc
    for address in psutil.net_if_addrs().get(interface, []):
        if address.family == socket.AF_INET:
            return str(address.address)
    raise DockerError(
        f"Docker's default bridge ({interface}) has no IPv4 address here: is the engine's "
        "bridge network enabled (dockerd without --bridge=none)?"
    )
