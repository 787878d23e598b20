"""lab.docker.wheels: a folder served on loopback for a build; a taken port is a clear error."""

from __future__ import annotations

import socket
from pathlib import Path

import httpx
import pytest

from lab.docker.errors import DockerError
from lab.docker.wheels import serve_wheels
from lab.services.ports import free_port


def test_the_folder_is_served_and_listed_then_closed(tmp_path: Path) -> None:
    (tmp_path / "torch-2.13.0+cpu-cp311-none-any.whl").write_bytes(b"wheel")
    port = free_port()
    with serve_wheels(tmp_path, port) as url:
        listing = httpx.get(url, timeout=5).text
        assert "torch-2.13.0+cpu-cp311-none-any.whl" in listing  # pip reads links from it
        assert httpx.get(url + "torch-2.13.0%2Bcpu-cp311-none-any.whl").content == b"wheel"
    with pytest.raises(httpx.ConnectError):
        httpx.get(url, timeout=2)


def test_a_taken_port_says_what_to_do(tmp_path: Path) -> None:
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        port = holder.getsockname()[1]
        expected = f"127.0.0.1:{port}.*another build is running"
        with pytest.raises(DockerError, match=expected), serve_wheels(tmp_path, port):
            pass
