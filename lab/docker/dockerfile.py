"""Read a Dockerfile without Docker: its build args' defaults, its base, the files it copies."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

_ARG = re.compile(r"^\s*ARG\s+([A-Za-z_][A-Za-z0-9_]*)(?:=(.*))?$", re.IGNORECASE | re.MULTILINE)
_FROM = re.compile(r"^\s*FROM\s+(\S+)", re.IGNORECASE | re.MULTILINE)
_VARIABLE = re.compile(r"\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?")


def arg_defaults(dockerfile: Path) -> dict[str, str]:
    """``ARG NAME=default`` of a Dockerfile, defaults unquoted (``ARG NAME`` alone: empty)."""
    found = {}
    for name, value in _ARG.findall(dockerfile.read_text(encoding="utf-8")):
        words = shlex.split(value) if value.strip() else []
        found[name] = words[0] if words else ""
    return found


def base_images(dockerfile: Path, build_args: dict[str, str] | None = None) -> list[str]:
    """Each ``FROM`` image, with ``${ARG}`` replaced by the build arg or the ARG's default."""
    values = {**arg_defaults(dockerfile), **(build_args or {})}
    text = dockerfile.read_text(encoding="utf-8")
    return [
        _VARIABLE.sub(lambda m: values.get(m.group(1), m.group(0)), image)
        for image in _FROM.findall(text)
    ]


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
