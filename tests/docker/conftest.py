"""Docker tests need an engine: they fail (not skip) without one, unless process mode is asked."""

from __future__ import annotations

import os

import pytest

from lab.docker.engine import MODE_VARIABLE, engine_available


def require_engine() -> None:
    """Skip when LAB_LOCAL_MODE=process; otherwise fail plainly if no engine answers."""
    if os.environ.get(MODE_VARIABLE, "").strip().lower() == "process":
        pytest.skip(f"{MODE_VARIABLE}=process: the Docker tests are not asked for")
    if not engine_available():
        pytest.fail(
            "no Docker engine answers: run `make setup` as root (installs docker.io and starts "
            f"dockerd), or set {MODE_VARIABLE}=process to test without Docker"
        )
