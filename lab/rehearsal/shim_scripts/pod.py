"""Helpers the shims share: add commands or Python distributions to the step's own image.

A rehearsed step runs with ``LAB_REHEARSAL_POD`` set to its pod folder: ``bin/`` is its
whole PATH, ``site-packages/`` holds links to the distributions its image has (the only
third-party packages its Python sees). Stand-alone (the shim scripts run with
``python -I``): standard library only.
"""

from __future__ import annotations

import functools
import importlib.metadata
import os
import re
from pathlib import Path

POD_VARIABLE = "LAB_REHEARSAL_POD"
PYTHON_NAMES = ("python", "python3")


def pod_dir() -> Path | None:
    """The step's pod folder, or None outside a rehearsed step (e.g. in the shims' tests)."""
    value = os.environ.get(POD_VARIABLE)
    return Path(value) if value else None


def _link(link: Path, target: str | Path) -> None:
    """A symlink at ``link`` to ``target``, unless something is there already."""
    if not link.exists() and not link.is_symlink():
        link.parent.mkdir(parents=True, exist_ok=True)
        link.symlink_to(target)


def add_command(name: str, target: str, pod: Path | None = None) -> None:
    """Put ``name`` on the step's PATH, as a link to ``target`` (this machine's program)."""
    pod = pod or pod_dir()
    if pod is not None:
        _link(pod / "bin" / name, target)


def add_python(shim_dir: Path, pod: Path | None = None) -> None:
    """Give the step ``python``/``python3`` (this environment's interpreter, guarded)."""
    for name in PYTHON_NAMES:
        add_command(name, str(shim_dir / "python"), pod)
    pod = pod or pod_dir()
    if pod is not None:
        (pod / "site-packages").mkdir(parents=True, exist_ok=True)


def canonical(name: str) -> str:
    """A distribution name as pip compares them (``Mlflow_Skinny`` → ``mlflow-skinny``)."""
    return re.sub(r"[-_.]+", "-", name).lower()


@functools.cache
def dist_tops(name: str) -> tuple[Path, ...] | None:
    """The top-level files and folders of distribution ``name`` here; None if not installed.

    Cached: a rehearsal prepares many pods from the same image, and reading a distribution's
    file list (its RECORD) each time added up.
    """
    try:
        dist = importlib.metadata.distribution(name)
    except importlib.metadata.PackageNotFoundError:
        return None
    tops = {Path(str(f)).parts[0] for f in dist.files or () if not str(f).startswith("..")}
    found = (Path(str(dist.locate_file(top))) for top in sorted(tops - {"__pycache__"}))
    return tuple(target for target in found if target.exists())


def add_dists(names: list[str], pod: Path | None = None) -> list[str]:
    """Make distributions of this environment importable in the step; return those linked."""
    pod = pod or pod_dir()
    if pod is None:
        return []
    site = pod / "site-packages"
    linked = []
    for name in names:
        tops = dist_tops(name)
        if tops is None:
            continue
        for target in tops:
            _link(site / target.name, target)
        linked.append(canonical(name))
    return linked
