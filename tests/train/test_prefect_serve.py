"""prefect_serve: Prefect's own command line, given the arguments `prefect` would get."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import prefect

TRAIN = Path(__file__).resolve().parents[2] / "train"


def prefect_serve(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m gourmetgram_train.prefect_serve ARGS`, as prefect_server.py starts it."""
    return subprocess.run(
        [sys.executable, "-m", "gourmetgram_train.prefect_serve", *args],
        cwd=TRAIN,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_arguments_reach_prefects_command_line() -> None:
    done = prefect_serve("--version")
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == prefect.__version__


def test_an_unknown_command_fails_as_prefect_fails() -> None:
    done = prefect_serve("no-such-command")
    assert done.returncode != 0
    assert "no-such-command" in done.stdout + done.stderr
