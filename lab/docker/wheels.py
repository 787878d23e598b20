"""Serve a folder of wheels on loopback for the length of a build (pip's ``--find-links``)."""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from lab.docker.errors import DockerError

WHEELS_PORT = 5080
"""Fixed, because the classic builder's cache key holds the build args: a new port each
build would make every ``RUN pip install`` layer miss the cache."""


class _QuietHandler(SimpleHTTPRequestHandler):
    """A static-file handler that does not print a line per request."""

    def log_message(self, format: str, *args: object) -> None:
        """Say nothing: pip's own output tells what it fetched."""


def wheels_url(port: int = WHEELS_PORT) -> str:
    """The find-links address a build (on the host network) uses."""
    return f"http://127.0.0.1:{port}/"


@contextmanager
def serve_wheels(folder: Path, port: int = WHEELS_PORT) -> Iterator[str]:
    """Serve ``folder`` read-only at ``http://127.0.0.1:PORT/`` and yield that address."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    try:
        server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:
        raise DockerError(
            f"cannot serve the wheels in {folder} on 127.0.0.1:{port} ({exc.strerror}): another "
            "build is running, or another program holds the port; stop it and build again"
        ) from None
    thread = threading.Thread(target=server.serve_forever, name="wheels", daemon=True)
    thread.start()
    try:
        yield wheels_url(port)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
