"""Start the GourmetGram app from a build context, as its image would run it."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from lab.services.ports import free_port
from lab.services.process import Service, launch, until_ready, wait_for_http

APP_NAME = "gourmetgram-app"


def app_env() -> dict[str, str]:
    """This environment without what would reach outside the build context (as in the image)."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MODEL_DIR")}


def start_app(
    context: Path, state_dir: Path, *, port: int | None = None, timeout_s: float = 120
) -> Service:
    """Run ``python -m gourmetgram_app`` in ``context`` on loopback and wait for /health.

    Nothing outside the build context is importable (no PYTHONPATH) and the model comes
    from the context's own ``model/`` folder, as in the image.
    """
    port = port or free_port()
    service = launch(
        APP_NAME,
        [sys.executable, "-m", "gourmetgram_app"],
        state_dir=state_dir,
        url=f"http://127.0.0.1:{port}",
        port=port,
        env={**app_env(), "HOST": "127.0.0.1", "PORT": str(port)},
        cwd=context,
    )
    return until_ready(service, state_dir, lambda s: wait_for_http(s, "/health", timeout_s))
