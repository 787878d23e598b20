"""lab.services: ports, starting, waiting, log tails, stopping process groups, records."""

from __future__ import annotations

import socket
import sys
import time
from pathlib import Path

import psutil
import pytest

from lab.services import (
    PortInUseError,
    ServiceDiedError,
    ServiceTimeoutError,
    ensure_port_free,
    find_service,
    free_port,
    launch,
    port_in_use,
    stop_all,
    stop_service,
    wait_for_http,
    wait_for_log_line,
)

# A "service" that starts a child (like uvicorn's workers), says it is ready, then serves.
PARENT = """
import subprocess, sys, time, http.server, threading
child = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
print("child", child.pid, flush=True)
handler = http.server.SimpleHTTPRequestHandler
server = http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), handler)
threading.Thread(target=server.serve_forever, daemon=True).start()
print("ready to serve", flush=True)
time.sleep(600)
"""


def start_fake(tmp_path: Path, name: str = "fake", port: int | None = None) -> tuple:
    """Launch the fake service on ``port`` (a free one by default)."""
    port = port or free_port()
    service = launch(
        name,
        [sys.executable, "-c", PARENT, str(port)],
        state_dir=tmp_path,
        url=f"http://127.0.0.1:{port}",
        port=port,
        cwd=tmp_path,
    )
    return service, port


def test_free_port_is_free_and_busy_port_is_named() -> None:
    port = free_port()
    assert not port_in_use(port)
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", port))
        sock.listen()
        assert port_in_use(port)
        with pytest.raises(PortInUseError, match=f"cannot start mlflow: port {port} .* in use"):
            ensure_port_free("mlflow", port)


def test_start_wait_find_and_stop_with_children(tmp_path: Path) -> None:
    service, _ = start_fake(tmp_path)
    line = wait_for_log_line(service, r"ready to serve", timeout_s=30)
    assert line == "ready to serve"
    wait_for_http(service, "/", timeout_s=30)
    child_pid = int(wait_for_log_line(service, r"^child \d+").split()[1])
    assert find_service("fake", tmp_path) == service
    with pytest.raises(PortInUseError, match="cannot start fake"):
        start_fake_on(tmp_path, int(service.url.rsplit(":", 1)[1]))
    stop_service(service, tmp_path, timeout_s=10)
    assert not service.is_running()
    assert not psutil.pid_exists(child_pid) or psutil.Process(child_pid).status() == "zombie"
    assert find_service("fake", tmp_path) is None


def test_waiting_reaches_a_service_restarted_on_the_same_port(tmp_path: Path) -> None:
    service, port = start_fake(tmp_path)
    wait_for_http(service, "/", timeout_s=30)
    stop_service(service, tmp_path, timeout_s=10)
    again, _ = start_fake(tmp_path, port=port)
    try:
        wait_for_http(again, "/", timeout_s=30)  # the polls share a client: no stale connection
    finally:
        stop_service(again, tmp_path, timeout_s=10)


def start_fake_on(tmp_path: Path, port: int) -> None:
    """Try to launch a second fake on a taken port."""
    launch(
        "fake2",
        [sys.executable, "-c", "pass"],
        state_dir=tmp_path,
        url=f"http://127.0.0.1:{port}",
        port=port,
    )


def test_dead_service_shows_its_log_tail(tmp_path: Path) -> None:
    port = free_port()
    code = "import sys; print('loading model'); sys.exit('boom: no such file')"
    service = launch(
        "broken",
        [sys.executable, "-c", code],
        state_dir=tmp_path,
        url=f"http://127.0.0.1:{port}",
        port=port,
    )
    with pytest.raises(ServiceDiedError) as excinfo:
        wait_for_http(service, timeout_s=30)
    message = str(excinfo.value)
    assert message.startswith("broken exited with code 1")
    assert "boom: no such file" in message and "loading model" in message


def test_timeout_names_what_was_awaited(tmp_path: Path) -> None:
    service, _ = start_fake(tmp_path, "slow")
    try:
        with pytest.raises(ServiceTimeoutError, match="slow logged no line matching 'never'"):
            wait_for_log_line(service, "never", timeout_s=1)
    finally:
        stop_service(service, tmp_path)


def test_stale_record_is_dropped_and_stop_all_stops_every_service(tmp_path: Path) -> None:
    first, _ = start_fake(tmp_path, "one")
    second, _ = start_fake(tmp_path, "two")
    wait_for_log_line(first, "ready")
    wait_for_log_line(second, "ready")
    assert stop_all(tmp_path) == ["one", "two"]
    assert not first.is_running() and not second.is_running()
    assert stop_all(tmp_path) == []
    assert not list((tmp_path / "services").glob("*.json"))


def test_record_of_a_dead_process_is_not_reused(tmp_path: Path) -> None:
    port = free_port()
    service = launch(
        "quick",
        [sys.executable, "-c", "pass"],
        state_dir=tmp_path,
        url=f"http://127.0.0.1:{port}",
        port=port,
    )
    deadline = time.monotonic() + 10
    while service.is_running() and time.monotonic() < deadline:
        time.sleep(0.1)
    assert find_service("quick", tmp_path) is None
