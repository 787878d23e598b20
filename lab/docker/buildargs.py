"""The build args this machine needs on top of a Dockerfile's defaults, found by asking.

Both Dockerfiles take ``BASE_IMAGE``, ``TORCH_INDEX_URL`` and ``PIP_FIND_LINKS`` with defaults
right for node1. Here each default is tried first; only what cannot be reached is replaced:
the base image by a stand-in built by ``scripts/build-standin-base.sh``, the PyTorch index by
PyPI plus pip's own find-links folder (which holds the CPU wheel) served on loopback.
"""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path

import httpx

from lab.docker.cli import docker
from lab.docker.dockerfile import arg_defaults
from lab.docker.errors import BaseImageError, DockerError
from lab.docker.wheels import serve_wheels, wheels_url
from lab.httpclients import http_get
from lab.paths import repo_root

STANDIN_IMAGE = "lab-standin/python:3.11-bookworm"
STANDIN_SCRIPT = "scripts/build-standin-base.sh"
PYPI_INDEX = "https://pypi.org/simple"


@dataclass(frozen=True)
class BuildSetup:
    """Build args to add to ``docker build``, why each is there, and what to serve meanwhile."""

    build_args: dict[str, str] = field(default_factory=dict)
    reasons: list[str] = field(default_factory=list)
    wheels_dir: Path | None = None

    def docker_args(self) -> list[str]:
        """The flags to add after ``docker build -t NAME``: host network, then build args."""
        flags = ["--network", "host"] if self.wheels_dir else []
        for key, value in self.build_args.items():
            flags += ["--build-arg", f"{key}={value}"]
        return flags

    def serving(self) -> AbstractContextManager[str | None]:
        """Serve the wheels folder on loopback while a build runs (nothing if not needed)."""
        return serve_wheels(self.wheels_dir) if self.wheels_dir else nullcontext(None)


def image_present(image: str) -> bool:
    """Whether the engine has ``image`` locally."""
    return docker("image", "inspect", image, check=False, timeout_s=30).returncode == 0


def pullable(image: str, timeout_s: float = 300) -> bool:
    """Whether ``docker pull image`` works from here (it fails fast where Docker Hub is unknown)."""
    return docker("pull", "--quiet", image, check=False, timeout_s=timeout_s).returncode == 0


def ensure_standin(echo: Callable[[str], None], timeout_s: float = 1200) -> str:
    """The stand-in base image, built first by the repository's script if it is not here."""
    if image_present(STANDIN_IMAGE):
        return STANDIN_IMAGE
    script = repo_root() / STANDIN_SCRIPT
    echo(f"$ {STANDIN_SCRIPT} {STANDIN_IMAGE}   # once: mmdebstrap, about 1-3 minutes")
    done = subprocess.run(
        ["bash", str(script), STANDIN_IMAGE],
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    if done.returncode != 0 or not image_present(STANDIN_IMAGE):
        raise BaseImageError(
            f"{STANDIN_SCRIPT} could not build the stand-in base {STANDIN_IMAGE}:\n"
            + "\n".join(f"  | {line}" for line in done.stderr.splitlines()[-15:])
            + "\nIt needs root, mmdebstrap and Debian's mirrors (run `make setup` as root)."
        )
    return STANDIN_IMAGE


def reachable(url: str, timeout_s: float = 10) -> bool:
    """Whether an HTTPS index answers at all (any status below 500)."""
    try:
        return http_get(url, timeout=timeout_s, follow_redirects=True).status_code < 500
    except httpx.HTTPError:
        return False


def pip_find_links() -> list[Path]:
    """The folders pip is configured to find links in (``PIP_FIND_LINKS`` or pip's config)."""
    value = os.environ.get("PIP_FIND_LINKS", "")
    if not value:
        done = subprocess.run(
            [sys.executable, "-m", "pip", "config", "list"],
            capture_output=True,
            text=True,
            timeout=60,
            check=False,
        )
        for line in done.stdout.splitlines():
            key, _, raw = line.partition("=")
            if key.endswith(".find-links"):
                value = raw.strip().strip("'\"")
                break
    return [Path(part) for part in value.split() if Path(part).is_dir()]


def torch_wheels_dir() -> Path:
    """The find-links folder that holds a torch CPU wheel, or a DockerError saying what to do."""
    for folder in pip_find_links():
        if any(folder.glob("torch-*+cpu-*.whl")):
            return folder
    raise DockerError(
        "the PyTorch CPU index cannot be reached from here and pip's find-links hold no "
        "torch CPU wheel: put torch-2.13.0+cpu's wheel in a folder and set PIP_FIND_LINKS to it"
    )


_SETUPS: dict[Path, BuildSetup] = {}


def build_setup(dockerfile: Path, echo: Callable[[str], None] = print) -> BuildSetup:
    """What ``docker build`` of ``dockerfile`` needs on this machine (asked once per process)."""
    key = dockerfile.resolve()
    if key not in _SETUPS:
        _SETUPS[key] = _probe(dockerfile, echo)
    return _SETUPS[key]


def _probe(dockerfile: Path, echo: Callable[[str], None]) -> BuildSetup:
    """Try each default of the Dockerfile's build args; replace only what cannot be had."""
    defaults = arg_defaults(dockerfile)
    args: dict[str, str] = {}
    reasons: list[str] = []
    wheels = None
    base = defaults.get("BASE_IMAGE", "")
    if base and not image_present(base) and not pullable(base):
        args["BASE_IMAGE"] = ensure_standin(echo)
        reasons.append(
            f"BASE_IMAGE: {base} cannot be pulled here; {STANDIN_IMAGE} is a stand-in "
            f"(Debian bookworm + Python 3.11, built by {STANDIN_SCRIPT}), not the official image"
        )
    index = defaults.get("TORCH_INDEX_URL", "")
    if index and not reachable(index):
        wheels = torch_wheels_dir()
        args["TORCH_INDEX_URL"] = PYPI_INDEX
        args["PIP_FIND_LINKS"] = wheels_url()
        reasons.append(
            f"TORCH_INDEX_URL, PIP_FIND_LINKS: {index} cannot be reached here; torch's CPU "
            f"wheel comes from {wheels} (served on loopback, hence --network host), the "
            "rest from PyPI"
        )
    return BuildSetup(args, reasons, wheels)


def describe(setup: BuildSetup) -> Iterator[str]:
    """Lines that say which build args are added here, and why."""
    if not setup.build_args:
        yield "No build args needed here: the Dockerfile's defaults can be reached."
    for reason in setup.reasons:
        yield f"  {reason}"
