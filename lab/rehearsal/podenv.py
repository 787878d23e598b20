"""A step's environment: the PATH of its image, its Python packages, HOME and locale.

Each pod gets ``<pod>/bin``, its whole PATH: links to this machine's programs for the
commands its image ships (:mod:`lab.rehearsal.images`) and to the shims for its package
tool, ``python`` and ``pip``; and ``<pod>/site-packages``, links to the Python
distributions the image has. The shims add to both as the step's install lines are checked.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from lab.rehearsal.errors import StepRefused
from lab.rehearsal.images import Image, known_images, lookup
from lab.rehearsal.shim_scripts.pod import POD_VARIABLE, add_command, add_dists, add_python
from lab.rehearsal.shims import python_path

PASS_THROUGH_ENV = (
    "LANG",
    "LC_ALL",
    "TZ",
    "SSL_CERT_FILE",
    "SSL_CERT_DIR",
    "REQUESTS_CA_BUNDLE",
    "HTTP_PROXY",
    "HTTPS_PROXY",
    "NO_PROXY",
    "http_proxy",
    "https_proxy",
    "no_proxy",
)


def image_for(image: str, step: str, command: str | None = None) -> Image:
    """What ``image`` provides; refuse an image the catalog does not know."""
    known = lookup(image)
    if known is None:
        what = f"command {command!r} cannot be checked" if command else "what it ships is unknown"
        raise StepRefused(
            f"step {step!r} runs image {image}: {what}: the image is not in the rehearsal's "
            f"image catalog (known: {known_images()}); add it to lab/rehearsal/images.py "
            "with the commands it ships"
        )
    return known


def check_command(argv0: str, image: str, step: str, search_path: str | None = None) -> None:
    """Refuse a first command word the image does not have (the container would not start).

    With ``search_path``, also refuse one this machine lacks (no local equivalent).
    """
    known = image_for(image, step, argv0)
    name = argv0.rsplit("/", 1)[-1]
    here = search_path is None or shutil.which(name, path=search_path) is not None
    if known.provides(argv0) and name in known.commands and not here:
        raise StepRefused(
            f"step {step!r} runs image {image}: command {argv0!r} is not available on "
            "this machine: no local equivalent"
        )
    if not known.provides(argv0):
        raise StepRefused(
            f"step {step!r} runs image {image}: command {argv0!r} is not in that image "
            f"(as lab/rehearsal/images.py describes it): no local equivalent"
        )


def prepare_pod(image: str, step: str, pod_dir: Path, shim_dir: Path, search_path: str) -> Path:
    """Create ``<pod>/bin`` (the step's PATH) for ``image``; return it."""
    known = image_for(image, step)
    bin_dir = pod_dir / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    links = {name: shutil.which(name, path=search_path) for name in known.commands}
    if known.package_tool:
        links[known.package_tool] = str(shim_dir / known.package_tool)
        if known.package_tool == "apt-get":
            links["apt"] = str(shim_dir / "apt")
    if known.has_python:
        add_python(shim_dir, pod_dir)
        add_dists(list(known.python_dists or ()), pod_dir)
        links["pip"] = links["pip3"] = str(shim_dir / "pip")
    for name, target in links.items():
        if target:
            add_command(name, target, pod_dir)
    return bin_dir


def step_env(bin_dir: Path, home: Path, shim_dir: Path) -> dict[str, str]:
    """What a step starts from: its image's PATH, the import guard, a per-run HOME, locale."""
    env = {k: os.environ[k] for k in PASS_THROUGH_ENV if k in os.environ}
    env.setdefault("LANG", "C.UTF-8")
    home.mkdir(parents=True, exist_ok=True)
    return {
        **env,
        "PATH": str(bin_dir),
        "HOME": str(home),
        "PYTHONPATH": str(python_path(shim_dir)),
        POD_VARIABLE: str(bin_dir.parent),
    }
