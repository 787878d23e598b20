"""Start, find, wait for and stop local service processes, with PID records and log files."""

from __future__ import annotations

import contextlib
import json
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

import httpx
import psutil

from lab.services.errors import ServiceDiedError, ServiceError, ServiceTimeoutError
from lab.services.http_probe import probe_client
from lab.services.ports import ensure_port_free

#: How often a wait for a service to answer, or to exit, looks again: each look costs well
#: under a millisecond, and a wait overshoots by half of this on average.
POLL_S, STOP_POLL_S = 0.1, 0.05
T = TypeVar("T")


@dataclass(frozen=True)
class Service:
    """A running local service: its name, process, address and log file."""

    name: str
    pid: int
    url: str
    log_path: Path
    created: float  # the process's start time, to tell it from a later process with the same PID

    def is_running(self) -> bool:
        """Whether this very process is still alive (and not a zombie)."""
        try:
            proc = psutil.Process(self.pid)
            return proc.create_time() == self.created and proc.status() != psutil.STATUS_ZOMBIE
        except psutil.Error:
            return False

    def log_tail(self, lines: int = 40) -> str:
        """The last lines of the service's log."""
        return log_tail(self.log_path, lines)


def records_dir(state_dir: Path) -> Path:
    """Where the PID records live."""
    return state_dir / "services"


def logs_dir(state_dir: Path) -> Path:
    """Where the services' logs live."""
    return state_dir / "logs"


def log_tail(path: Path, lines: int = 40) -> str:
    """The last lines of a text file ('' if it does not exist)."""
    try:
        text = path.read_text(errors="replace")
    except FileNotFoundError:
        return ""
    return "\n".join(text.splitlines()[-lines:])


def record_service(state_dir: Path, service: Service) -> None:
    """Save the service's PID record atomically (temp file + rename), for find and stop."""
    folder = records_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    payload = {**asdict(service), "log_path": str(service.log_path)}
    tmp = folder / f".{service.name}.json.tmp"
    tmp.write_text(json.dumps(payload, indent=2) + "\n")
    tmp.replace(folder / f"{service.name}.json")


def find_service(name: str, state_dir: Path) -> Service | None:
    """The recorded service `name` if its process still runs; a stale record is removed."""
    path = records_dir(state_dir) / f"{name}.json"
    try:
        payload = json.loads(path.read_text())
    except FileNotFoundError:
        return None
    service = Service(**{**payload, "log_path": Path(payload["log_path"])})
    if service.is_running():
        return service
    path.unlink(missing_ok=True)
    return None


def launch(
    name: str,
    args: Sequence[str],
    *,
    state_dir: Path,
    url: str,
    port: int | None,
    host: str = "127.0.0.1",
    env: Mapping[str, str] | None = None,
    cwd: Path | None = None,
) -> Service:
    """Start args in its own process group, output to state_dir/logs/<name>.log; don't wait.

    ``port`` (on ``host``) must be free first; None for a service that listens on no port.
    """
    if port is not None:
        ensure_port_free(name, port, host)
    log_path = logs_dir(state_dir) / f"{name}.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            list(args),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env=dict(env) if env is not None else None,
            cwd=cwd,
            start_new_session=True,  # own process group: stop() signals it and its children
        )
    service = Service(name, proc.pid, url, log_path, psutil.Process(proc.pid).create_time())
    record_service(state_dir, service)
    return service


def until_ready(service: Service, state_dir: Path, ready: Callable[[Service], None]) -> Service:
    """Return the service once ``ready(service)`` returns; if it raises, stop the service first.

    So a service that dies or hangs while starting never outlives the call that started it.
    """
    try:
        ready(service)
    except BaseException:
        stop_service(service, state_dir)
        raise
    return service


def _check_alive(service: Service, waiting_for: str) -> None:
    """Raise ServiceDiedError with the log tail if the service's process has exited."""
    if service.is_running():
        return
    try:
        code = psutil.Process(service.pid).wait(timeout=1)  # reap it if it is our child
    except psutil.Error:
        code = None
    exit_text = f"exited with code {code}" if code is not None else "exited"
    raise ServiceDiedError(
        f"{service.name} {exit_text} while waiting for {waiting_for}. "
        f"Last lines of {service.log_path}:\n{service.log_tail()}"
    )


def _wait(
    service: Service,
    probe: Callable[[], T | None],
    *,
    waiting_for: str,
    timed_out: str,
    timeout_s: float,
) -> T:
    """Poll ``probe`` until it returns a value; fail with the log tail if the service dies
    (saying what it was ``waiting_for``) or the time runs out (saying ``timed_out``)."""
    deadline = time.monotonic() + timeout_s
    while True:
        if (found := probe()) is not None:
            return found
        _check_alive(service, waiting_for)
        if time.monotonic() > deadline:
            raise ServiceTimeoutError(
                f"{service.name} {timed_out} within {timeout_s:.0f} s. "
                f"Last lines of {service.log_path}:\n{service.log_tail()}"
            )
        time.sleep(POLL_S)


def wait_for_log_line(service: Service, pattern: str, timeout_s: float = 120) -> str:
    """Wait until a line of the service's log matches the regex pattern; return that line."""
    regex = re.compile(pattern)

    def matching_line() -> str | None:
        lines = log_tail(service.log_path, lines=10_000).splitlines()
        return next((line for line in lines if regex.search(line)), None)

    return _wait(
        service,
        matching_line,
        waiting_for=f"a log line matching {pattern!r}",
        timed_out=f"logged no line matching {pattern!r}",
        timeout_s=timeout_s,
    )


def wait_for_http(
    service: Service,
    path: str = "/health",
    timeout_s: float = 120,
    *,
    until: Callable[[httpx.Response], bool] | None = None,
    what: str = "",
) -> None:
    """Wait until GET service.url + path answers 200 (and, if given, ``until(answer)`` holds).

    ``what`` says what ``until`` waits for, in the error when time runs out.
    """
    url = service.url.rstrip("/") + path

    def answered() -> bool | None:
        try:
            answer = probe_client().get(url, timeout=2)
        except httpx.HTTPError:
            return None
        return True if answer.status_code == 200 and (until is None or until(answer)) else None

    _wait(
        service,
        answered,
        waiting_for=f"{url} to answer",
        timed_out=f"did not answer 200{' ' + what if what else ''} at {url}",
        timeout_s=timeout_s,
    )


def _group_alive(pgid: int) -> bool:
    """Whether a live (non-zombie) process is left in the process group."""
    for proc in psutil.process_iter(["status"]):
        try:
            if os.getpgid(proc.pid) == pgid and proc.info["status"] != psutil.STATUS_ZOMBIE:
                return True
        except (ProcessLookupError, PermissionError):
            continue
    return False


def _leader_gone(pid: int, created: float) -> bool:
    """Whether the group leader has exited (reaping it if it is our zombie child)."""
    try:
        proc = psutil.Process(pid)
        if proc.create_time() != created:
            return True
        if proc.status() == psutil.STATUS_ZOMBIE:
            # Only its parent can reap it. A service started by a kernel that has exited
            # belongs to init, which reaps in its own time: waiting for that (psutil's wait
            # polls a non-child until its PID is gone) cost up to 1 s per service.
            with contextlib.suppress(ChildProcessError):
                os.waitpid(pid, os.WNOHANG)
            return True
        return False
    except psutil.Error:
        return True


def stop_service(service: Service, state_dir: Path | None = None, timeout_s: float = 15) -> None:
    """SIGTERM the process group, SIGKILL what is left after timeout_s; drop the record."""
    stop_services([service], state_dir, timeout_s)


def stop_services(
    services: Sequence[Service], state_dir: Path | None = None, timeout_s: float = 15
) -> None:
    """Stop services side by side: SIGTERM every group first, then wait for each.

    Each takes about a second to shut down (its server, then its interpreter): signalled
    together, they take about as long as the slowest, not the sum.
    """
    stopping = []
    for service in services:
        pgid = service.pid  # it leads its own group (start_new_session)
        # A PID is not reused while a group of that ID has members, so a live group is ours.
        if service.is_running() or (not psutil.pid_exists(pgid) and _group_alive(pgid)):
            os.killpg(pgid, signal.SIGTERM)
            stopping.append(service)
    deadline = time.monotonic() + timeout_s
    for service in stopping:
        while not (_leader_gone(service.pid, service.created) and not _group_alive(service.pid)):
            if time.monotonic() > deadline:
                with contextlib.suppress(ProcessLookupError):  # the group may have just gone
                    os.killpg(service.pid, signal.SIGKILL)
                time.sleep(STOP_POLL_S)
                _leader_gone(service.pid, service.created)
                break
            time.sleep(STOP_POLL_S)
        if service.is_running():
            raise ServiceError(f"{service.name} (pid {service.pid}) survived SIGKILL")
    if state_dir is not None:
        for service in services:
            (records_dir(state_dir) / f"{service.name}.json").unlink(missing_ok=True)


def stop_all(state_dir: Path, timeout_s: float = 15) -> list[str]:
    """Stop every service recorded under state_dir, side by side; return their names."""
    records = sorted(records_dir(state_dir).glob("*.json"))
    running = [s for r in records if (s := find_service(r.stem, state_dir)) is not None]
    stop_services(running, state_dir, timeout_s)
    return [service.name for service in running]
