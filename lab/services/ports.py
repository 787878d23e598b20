"""Free loopback ports, and a clear error when a service's port is taken."""

from __future__ import annotations

import socket

import psutil

from lab.services.errors import PortInUseError


def free_port(host: str = "127.0.0.1") -> int:
    """A port that is free on host right now (the OS picks it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        return int(sock.getsockname()[1])


def port_in_use(port: int, host: str = "127.0.0.1") -> bool:
    """Whether binding host:port fails, as it would for the service (SO_REUSEADDR, like uvicorn)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((host, port))
        except OSError:
            return True
        return False


def port_owner(port: int) -> str | None:
    """'pid N (command)' of the process listening on port, when the OS lets us see it."""
    try:
        connections = psutil.net_connections(kind="tcp")
    except (psutil.AccessDenied, OSError):
        return None
    for conn in connections:
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port:
            if conn.pid is None:
                return None
            try:
                command = " ".join(psutil.Process(conn.pid).cmdline()[:4])
            except psutil.Error:
                command = "?"
            return f"pid {conn.pid} ({command})"
    return None


def ensure_port_free(name: str, port: int, host: str = "127.0.0.1") -> None:
    """Raise PortInUseError naming the service, the port and who holds it."""
    if port_in_use(port, host):
        owner = port_owner(port)
        held = f" by {owner}" if owner else ""
        raise PortInUseError(
            f"cannot start {name}: port {port} on {host} is already in use{held}. "
            f"Stop that process, or start {name} on another port."
        )
