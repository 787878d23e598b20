"""Which distributions of this environment provide each top-level module, kept on disk.

A rehearsed step's ``python`` imports only the distributions its image has (the import
guard, ``shim_scripts/python_guard.py``), so the guard needs this map. Building it
(:func:`importlib.metadata.packages_distributions`) reads every installed distribution's
file list: about 0.8 s of CPU here, paid by each notebook kernel that rehearses a workflow.
The map only changes when a distribution is installed or removed, so it is kept in the
environment's ``share/`` folder under a name made from the distributions' metadata folders
(names with versions, and times), and built anew when any of them changes. Setup builds it
once (scripts/setup.sh), from the notebooks' folder, where the kernels run.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.metadata
import json
import os
import sys
import tempfile
from functools import cache
from pathlib import Path

Owners = dict[str, list[str]]


def cache_dir() -> Path:
    """Where the map is kept: this environment's share/ folder."""
    return Path(sys.prefix) / "share" / "gourmetgram-lab"


def search_path_key() -> str:
    """A digest of the installed distributions: each metadata folder on the path, and its time.

    Installing or removing a distribution adds, renames or removes one of them.
    """
    stamps = []
    for entry in sys.path:
        try:
            listing = os.scandir(entry or ".")
        except OSError:
            continue
        with listing:
            stamps += [
                f"{Path(entry).resolve()}/{item.name}:{item.stat(follow_symlinks=False).st_mtime_ns}"
                for item in listing
                if item.name.endswith((".dist-info", ".egg-info"))
            ]
    return hashlib.sha256("\n".join(sorted(stamps)).encode()).hexdigest()[:16]


def build() -> Owners:
    """The map, from the installed distributions' metadata."""
    return {k: sorted(set(v)) for k, v in importlib.metadata.packages_distributions().items()}


@cache
def module_owners() -> Owners:
    """Top-level module → the distributions that provide it; from disk when still current."""
    path = cache_dir() / f"module-owners-{search_path_key()}.json"
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        kept = None
    if isinstance(kept, dict):
        return kept
    owners = build()
    with contextlib.suppress(OSError):  # a read-only environment builds it each time
        save(path, owners)
    return owners


def save(path: Path, owners: Owners) -> None:
    """Write the map whole: a reader never sees half a file."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.NamedTemporaryFile("w", dir=path.parent, delete=False, suffix=".tmp") as out:
        json.dump(owners, out)
    os.replace(out.name, path)
