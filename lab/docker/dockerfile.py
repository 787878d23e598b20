"""Read a Dockerfile without Docker: the local files its COPY and ADD instructions take."""

from __future__ import annotations

import shlex
from pathlib import Path


def copy_sources(dockerfile: Path) -> list[str]:
    """The local sources of every COPY/ADD instruction (not those copied from a stage)."""
    sources: list[str] = []
    for line in dockerfile.read_text().replace("\\\n", " ").splitlines():
        words = shlex.split(line, comments=True)
        if not words or words[0].upper() not in ("COPY", "ADD"):
            continue
        if any(word.startswith("--from") for word in words[1:]):
            continue
        args = [word for word in words[1:] if not word.startswith("--")]
        sources += args[:-1]  # the last argument is the destination
    return sources


def missing_sources(context: Path) -> list[str]:
    """The COPY/ADD sources of ``context/Dockerfile`` that are not in the build context."""
    return [s for s in copy_sources(context / "Dockerfile") if not (context / s).exists()]
