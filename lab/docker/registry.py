"""The local image registry (Debian's ``docker-registry``, CNCF distribution 2.8) and push/pull.

It stands in for the cluster's ``registry.kube-system.svc.cluster.local:5000``: plain HTTP
on loopback, which the Docker engine allows without configuration (127.0.0.0/8 is insecure
by default).
"""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from lab.docker.cli import docker
from lab.docker.errors import DockerError
from lab.httpclients import http_get
from lab.services.process import Service, find_service, launch, until_ready, wait_for_http

REGISTRY_NAME = "docker-registry"
# Where the registry keeps its images; by default in the lab's state folder. Pointing it at a
# folder that outlives the state (as the cluster's registry outlives a run) lets a fresh
# state reuse the layers already pushed instead of pushing the app's ~1 GB again.
DATA_ENV = "LAB_REGISTRY_DATA"
REGISTRY_HOST = "127.0.0.1"
REGISTRY_PORT = 5000
PUSH_TIMEOUT_S = 900
_DIGEST = re.compile(r"digest: (sha256:[0-9a-f]{64})")


def registry_address(port: int = REGISTRY_PORT) -> str:
    """``127.0.0.1:PORT``, as image references name it."""
    return f"{REGISTRY_HOST}:{port}"


def registry_data(state_dir: Path) -> Path:
    """The registry's storage folder: ``$LAB_REGISTRY_DATA``, else in the state folder."""
    return Path(os.environ.get(DATA_ENV) or state_dir / REGISTRY_NAME / "data").resolve()


def registry_config(state_dir: Path, port: int) -> Path:
    """Write the registry's config (storage in ``registry_data``, loopback only); return it."""
    folder = state_dir / REGISTRY_NAME
    data = registry_data(state_dir)
    folder.mkdir(parents=True, exist_ok=True)
    data.mkdir(parents=True, exist_ok=True)
    config = folder / "config.yml"
    tmp = config.with_suffix(".tmp")
    tmp.write_text(
        "version: 0.1\n"
        "log:\n  level: warn\n"
        f"storage:\n  filesystem:\n    rootdirectory: {data}\n"
        "  delete:\n    enabled: true\n"
        f"http:\n  addr: {REGISTRY_HOST}:{port}\n",
        encoding="utf-8",
    )
    tmp.replace(config)
    return config


def start_registry(state_dir: Path, *, port: int = REGISTRY_PORT, timeout_s: float = 60) -> Service:
    """Start the registry on loopback (or reuse the running one) and wait for ``/v2/``."""
    if (running := find_service(REGISTRY_NAME, state_dir)) is not None:
        return running
    binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
    if not Path(binary).is_file():
        raise DockerError(
            "Debian's docker-registry is not installed: run `make setup` as root, or "
            "`apt-get install docker-registry`"
        )
    service = launch(
        REGISTRY_NAME,
        [binary, "serve", str(registry_config(state_dir, port))],
        state_dir=state_dir,
        url=f"http://{registry_address(port)}",
        port=port,
        host=REGISTRY_HOST,
    )
    return until_ready(service, state_dir, lambda s: wait_for_http(s, "/v2/", timeout_s))


def push(image: str, timeout_s: float = PUSH_TIMEOUT_S) -> str:
    """``docker push image`` and return the digest the registry stored it under."""
    done = docker("push", image, timeout_s=timeout_s)
    found = _DIGEST.search(done.stdout)
    if not found:
        raise DockerError(f"`docker push {image}` named no digest:\n{done.stdout[-500:]}")
    return found.group(1)


def tags(registry: str, repository: str) -> list[str]:
    """The tags the registry holds for ``repository`` (its ``/v2/NAME/tags/list``)."""
    answer = http_get(f"http://{registry}/v2/{repository}/tags/list", timeout=10)
    if answer.status_code == 404:
        return []
    answer.raise_for_status()
    return sorted(answer.json().get("tags") or [])


def pull_fresh(image: str, digest: str, timeout_s: float = PUSH_TIMEOUT_S) -> None:
    """Drop the local tag and pull ``image`` back from its registry; check it is ``digest``.

    ``--no-prune`` keeps the untagged parent layers (the build cache), so only what the
    registry must supply is transferred, and the image then run is the one the registry holds.
    """
    docker("image", "rm", "--no-prune", image, timeout_s=60)
    docker("pull", "--quiet", image, timeout_s=timeout_s)
    held = docker("image", "inspect", "--format", "{{json .RepoDigests}}", image, timeout_s=30)
    if digest not in held.stdout:
        raise DockerError(f"pulled {image}, but its digests {held.stdout.strip()} lack {digest}")
