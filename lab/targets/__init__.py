"""Lab targets and the registry that picks one by name (``local`` is the default)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from lab.targets.base import Target


def _local(**params: Any) -> Target:
    from lab.docker.engine import local_mode

    # Docker mode when an engine answers (or LAB_LOCAL_MODE=docker), processes otherwise.
    if local_mode() == "docker":
        from lab.targets.local_docker import LocalDockerTarget

        return LocalDockerTarget(**params)
    from lab.targets.local import LocalTarget

    return LocalTarget(**params)


def _chameleon(**params: Any) -> Target:
    from lab.targets.chameleon import ChameleonTarget

    return ChameleonTarget(**params)


# Imports happen on use, so picking one target never loads the other's dependencies.
TARGETS: dict[str | None, Callable[..., Target]] = {
    None: _local,
    "local": _local,
    "chameleon": _chameleon,
}


class UnknownTargetError(ValueError):
    """Raised when a notebook asks for a target that does not exist."""


def connect(target: str | None = "local", **params: Any) -> Target:
    """The target named ``target``, set up with the notebook's parameters."""
    try:
        factory = TARGETS[target or None]
    except KeyError:
        choices = ", ".join(repr(k) for k in TARGETS if k)
        raise UnknownTargetError(
            f"unknown target {target!r}: set target to one of {choices} in the parameters cell"
        ) from None
    return factory(**params)


__all__ = ["TARGETS", "Target", "UnknownTargetError", "connect"]
