"""Containers the lab starts: their state, logs, published ports, and stopping them by record."""

from __future__ import annotations

import json
import re
from pathlib import Path

from lab.docker.cli import docker, stream
from lab.docker.errors import DockerError

STOP_GRACE_S = 10  # docker stop's default: SIGTERM, then SIGKILL after this many seconds


def records_dir(state_dir: Path) -> Path:
    """Where the IDs of containers the lab started are kept."""
    return state_dir / "containers"


def inspect(name: str) -> dict | None:
    """``docker container inspect NAME`` as a dict, or None if there is no such container."""
    done = docker("container", "inspect", name, check=False, timeout_s=30)
    if done.returncode != 0:
        if "no such" in (done.stderr + done.stdout).lower():
            return None
        raise DockerError(f"`docker container inspect {name}` failed: {done.stderr.strip()}")
    return json.loads(done.stdout)[0]


def status(name: str) -> str | None:
    """The container's status (``running``, ``exited``…), or None if there is none."""
    found = inspect(name)
    return None if found is None else str(found["State"]["Status"])


def run_detached(argv: list[str], state_dir: Path, timeout_s: float = 120) -> str:
    """Run a ``docker run -d … --name NAME …`` argv, record the container, return its ID."""
    if argv[:2] != ["docker", "run"] or "-d" not in argv or "--name" not in argv:
        raise ValueError(f"expected a detached, named `docker run`, got {argv!r}")
    container_id = docker(*argv[1:], timeout_s=timeout_s).stdout.strip()
    name = argv[argv.index("--name") + 1]
    folder = records_dir(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / f".{name}.tmp"
    tmp.write_text(json.dumps({"name": name, "id": container_id}) + "\n", encoding="utf-8")
    tmp.replace(folder / f"{name}.json")
    return container_id


def follow_logs_until(name: str, pattern: str, *, log_path: Path, timeout_s: float) -> str:
    """``docker logs --follow NAME`` until a line matches ``pattern``; return that line."""
    regex = re.compile(pattern)
    line = stream(
        ["docker", "logs", "--follow", name],
        log_path=log_path,
        timeout_s=timeout_s,
        until=lambda text: regex.search(text) is not None,
    )
    assert line is not None  # stream() raises when the line never came
    return line.strip()


def logs(name: str, tail: int = 40) -> str:
    """The last ``tail`` lines of the container's log (stdout and stderr, in order)."""
    return docker("logs", "--tail", str(tail), name, merge_stderr=True, timeout_s=60).stdout


def published_port(name: str, container_port: int) -> int:
    """The host port that ``container_port``/tcp of the container is published on."""
    out = docker("port", name, f"{container_port}/tcp", timeout_s=30).stdout.split()
    if not out:
        raise DockerError(f"container {name} publishes no port for {container_port}/tcp")
    return int(out[0].rsplit(":", 1)[1])


def remove(name: str, timeout_s: float = STOP_GRACE_S + 30) -> bool:
    """Stop (grace ``STOP_GRACE_S``) and remove the container; False if there was none."""
    if inspect(name) is None:
        return False
    docker("stop", "--time", str(STOP_GRACE_S), name, check=False, timeout_s=timeout_s)
    docker("rm", "--force", name, check=False, timeout_s=60)  # gone already with --rm
    return True


def stop_recorded(state_dir: Path) -> list[str]:
    """Stop and remove every container the lab recorded (if it is still that container)."""
    stopped = []
    for record in sorted(records_dir(state_dir).glob("*.json")):
        data = json.loads(record.read_text(encoding="utf-8"))
        found = inspect(data["name"])
        if found is not None and found["Id"].startswith(data["id"]) and remove(data["name"]):
            stopped.append(f"container {data['name']}")
        record.unlink(missing_ok=True)
    return stopped


def forget(name: str, state_dir: Path) -> None:
    """Drop the record of a container the lab removed itself."""
    (records_dir(state_dir) / f"{name}.json").unlink(missing_ok=True)
