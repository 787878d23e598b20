"""Read pinned requirements files and compare them with the running environment."""

from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

_PIN = re.compile(r"([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==(\S+)")


def requirement_pins(path: Path) -> dict[str, str]:
    """``name -> version`` for each ``name==version`` line (names as written, not lowered)."""
    pins = {}
    for line in path.read_text().splitlines():
        match = _PIN.fullmatch(line.split("#", 1)[0].strip())
        if match:
            pins[match.group(1)] = match.group(2)
    return pins


def unmet_pins(path: Path) -> list[str]:
    """The pins of a requirements file that this environment does not meet, as sentences."""
    problems = []
    for name, wanted in requirement_pins(path).items():
        try:
            have = metadata.version(name)
        except metadata.PackageNotFoundError:
            problems.append(f"{name} is not installed (wanted {wanted})")
            continue
        if have.split("+", 1)[0] != wanted.split("+", 1)[0]:  # a +cpu build meets ==2.13.0
            problems.append(f"{name} is {have}, wanted {wanted}")
    return problems
