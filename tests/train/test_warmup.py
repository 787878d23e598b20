"""warmup: the first run's one-time costs paid at start-up, with nothing sent to MLflow."""

from __future__ import annotations

import logging
import subprocess
import sys
from pathlib import Path

import pytest

from gourmetgram_train import warmup

TRAIN = Path(__file__).resolve().parents[2] / "train"


def test_warm_up_imports_what_the_first_run_would_and_needs_no_mlflow() -> None:
    # A fresh interpreter, so that torch._dynamo is not already imported by other tests;
    # an MLflow URI that nothing answers: the warm-up must not need it.
    code = (
        "import sys\n"
        "from gourmetgram_train.warmup import warm_up\n"
        "assert 'torch._dynamo' not in sys.modules\n"
        "warm_up(32)\n"
        "print(sorted(m for m in ('torch._dynamo', 'torch.export._trace') if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=TRAIN,
        env={"MLFLOW_TRACKING_URI": "http://127.0.0.1:9/", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == "['torch._dynamo', 'torch.export._trace']"


def test_a_failed_warm_up_is_logged_and_the_service_goes_on(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    def broken(image_size: int) -> float:
        raise OSError("no space left for the temporary folder")

    monkeypatch.setattr(warmup, "warm_up", broken)
    with caplog.at_level(logging.INFO, logger=warmup.__name__):
        warmup.warm_up_logged(32)
    assert "warm-up failed; the first training pays" in caplog.text
    assert "no space left" in caplog.text
