"""The image-handler hook: what a handler for an image (e.g. a builder) receives and returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.runs.records import FAILED, SUCCEEDED


@dataclass(frozen=True)
class StepContext:
    """Everything a handler needs to do a step's job in its own way, and say what it did."""

    run_name: str
    step: str
    """The step's display name, e.g. ``build-image``."""
    template: Mapping[str, Any]
    """The template with its variables substituted."""
    image: str
    inputs: Mapping[str, str]
    env: Mapping[str, str]
    """The container's ``env``, secrets resolved (not the rehearsal's base environment)."""
    workdir: Path
    """The local directory that stands for the container's working directory."""
    mounts: Mapping[str, Path]
    """Container mount path → local directory."""
    log: Callable[[str], None]
    """Writes one line to the node's log file."""
    timeout_s: float


@dataclass(frozen=True)
class HandlerResult:
    """What a handler did: the node's phase and message, and its outputs."""

    phase: str = SUCCEEDED
    message: str = ""
    result: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        """Reject phases a step cannot end in."""
        if self.phase not in (SUCCEEDED, FAILED):
            raise ValueError(f"HandlerResult.phase must be {SUCCEEDED!r} or {FAILED!r}")


ImageHandler = Callable[[StepContext], HandlerResult]


def find_handler(
    image: str, handlers: Mapping[str, ImageHandler] | None
) -> tuple[str, ImageHandler] | None:
    """The handler whose prefix matches ``image`` (the longest prefix wins), or None."""
    matches = [prefix for prefix in (handlers or {}) if image.startswith(prefix)]
    if not matches:
        return None
    prefix = max(matches, key=len)
    return prefix, handlers[prefix]  # type: ignore[index]
