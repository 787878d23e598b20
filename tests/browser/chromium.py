"""Debian's Chromium, headless, started by PID and driven by Playwright over its DevTools port.

No browser is downloaded: Playwright connects to ``/usr/bin/chromium`` (``scripts/setup.sh``
installs the Debian package), and the process is ours to stop.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

import psutil

from lab.services.process import Service, stop_service

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
FLAGS = (
    "--headless",
    # Root (CI, these machines) cannot use Chromium's sandbox; the pages are our own.
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    # The machine reaches only package registries: no background calls home.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
    "--no-default-browser-check",
    "--force-device-scale-factor=1",
    "--hide-scrollbars",
)


def start_chromium(folder: Path, timeout_s: float = 60) -> tuple[Service, str]:
    """Start Chromium with a fresh profile under ``folder``; return it and its DevTools URL."""
    if not Path(CHROMIUM).is_file():
        raise FileNotFoundError(
            f"no Chromium at {CHROMIUM}: run `make setup` as root (it installs Debian's "
            "chromium), or set CHROMIUM to a Chromium binary"
        )
    profile = folder / "profile"
    profile.mkdir(parents=True, exist_ok=True)
    log_path = folder / "chromium.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [CHROMIUM, *FLAGS, "--remote-debugging-port=0", f"--user-data-dir={profile}"],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: stopped with all its helpers
        )
    service = Service("chromium", proc.pid, "", log_path, psutil.Process(proc.pid).create_time())
    try:
        port = _devtools_port(profile / "DevToolsActivePort", proc, timeout_s)
    except BaseException:
        stop_service(service)
        raise
    return service, f"http://127.0.0.1:{port}"


def _devtools_port(path: Path, proc: subprocess.Popen[bytes], timeout_s: float) -> int:
    """The port Chromium wrote to ``DevToolsActivePort`` once it listens."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"Chromium exited with code {proc.returncode} while starting")
        lines = path.read_text().splitlines() if path.is_file() else []
        if lines and lines[0].isdigit():
            return int(lines[0])
        time.sleep(0.2)
    raise TimeoutError(f"Chromium wrote no DevTools port to {path} within {timeout_s:.0f} s")
