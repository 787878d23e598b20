"""MLflow reachability check and the model's pinned requirements."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib.metadata import version
from pathlib import Path

import pytest
import torch

from gourmetgram_train.model import build_model
from gourmetgram_train.tracking import (
    EXPORTED_PROGRAM_PATH,
    MlflowProbe,
    MlflowUnavailableError,
    check_mlflow,
    pinned_requirements,
    tensor_signature,
)
from lab.services import free_port

TRAIN_DIR = Path(__file__).resolve().parents[2] / "train"


def test_unreachable_mlflow_is_named_quickly() -> None:
    uri = f"http://127.0.0.1:{free_port()}/"
    start = time.monotonic()
    with pytest.raises(MlflowUnavailableError, match=f"MLflow at {uri} cannot be reached"):
        check_mlflow(uri, timeout_s=2)
    assert time.monotonic() - start < 5


def test_local_store_needs_no_server(tmp_path) -> None:
    check_mlflow(f"sqlite:///{tmp_path}/mlflow.db")


@pytest.mark.slow
def test_running_server_passes(mlflow_server) -> None:
    check_mlflow(mlflow_server.uri)


def test_requirements_are_exact_pins_of_what_runs() -> None:
    pins = dict(line.split("==") for line in pinned_requirements())
    assert set(pins) == {"mlflow", "torch", "numpy"}
    assert pins["torch"] == version("torch").split("+")[0]
    assert pins["numpy"] == version("numpy")


def test_model_saves_and_loads_without_scipy_or_inferred_signature(tmp_path) -> None:
    """mlflow-skinny lacks scipy, which mlflow's infer_signature imports: we must not need it."""
    code = """
import sys
sys.modules["scipy"] = None  # as in the image: importing it fails
import mlflow.pytorch, torch
from gourmetgram_train.model import build_model
from gourmetgram_train.tracking import pinned_requirements, tensor_signature
model = build_model(11, seed=0).eval()
mlflow.pytorch.save_model(
    model, sys.argv[1], input_example=torch.randn(2, 3, 32, 32).numpy(),
    signature=tensor_signature(32, 11), pip_requirements=pinned_requirements(),
)
loaded = mlflow.pytorch.load_model(sys.argv[1])
print(tuple(loaded(torch.zeros(3, 3, 32, 32)).shape))
"""
    result = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "model")],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=TRAIN_DIR,
        env={**os.environ, "MLFLOW_DISABLE_TELEMETRY": "true"},
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().splitlines()[-1] == "(3, 11)"
    assert "Failed to validate serving input" not in result.stderr
    requirements = (tmp_path / "model" / "requirements.txt").read_text().split()
    assert requirements == pinned_requirements()


@pytest.fixture(scope="module")
def saved_model(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, torch.nn.Module]:
    """A model saved as the service logs it (pt2 format), and the model itself."""
    import mlflow.pytorch

    model = build_model(11, seed=0).eval()
    path = tmp_path_factory.mktemp("mlflow") / "model"
    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_DISABLE_TELEMETRY", "true")
        mlflow.pytorch.save_model(
            model,
            str(path),
            input_example=torch.randn(2, 3, 32, 32).numpy(),
            signature=tensor_signature(32, 11),
            pip_requirements=pinned_requirements(),
            serialization_format="pt2",
        )
    return path, model


@pytest.mark.parametrize("batch", [1, 3, 17])
def test_the_program_mlflow_exports_is_where_the_service_fetches_it(
    saved_model: tuple[Path, torch.nn.Module], batch: int
) -> None:
    """The service serves this file of the logged model: torch alone must load it, any batch."""
    path, model = saved_model
    program = torch.export.load(path / EXPORTED_PROGRAM_PATH).module()
    images = torch.randn(batch, 3, 32, 32)
    with torch.no_grad():
        assert torch.allclose(program(images), model(images), atol=1e-5)


class _Healthy(BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        pass


@contextmanager
def healthy_server(port: int) -> Iterator[None]:
    """An HTTP server on ``port`` answering 200 to every GET, as MLflow's /health does."""
    server = ThreadingHTTPServer(("127.0.0.1", port), _Healthy)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield
    finally:
        server.shutdown()
        server.server_close()


def test_health_says_ok_as_soon_as_mlflow_is_up_not_a_ttl_later() -> None:
    port = free_port()
    probe = MlflowProbe(f"http://127.0.0.1:{port}", timeout_s=1.0, ttl_s=30.0)
    assert "cannot be reached" in (probe.problem() or ""), "refused: MLflow is not up yet"
    with healthy_server(port):
        time.sleep(probe.min_retry_s)
        assert probe.problem() is None, "a refused connection is not kept for the TTL"
    assert probe.problem() is None, "an answer is kept for the TTL"


def test_a_hung_mlflow_is_not_asked_again_at_every_health_check() -> None:
    with socket.socket() as hung:  # accepts connections (backlog) and never answers
        hung.bind(("127.0.0.1", 0))
        hung.listen(8)
        probe = MlflowProbe(f"http://127.0.0.1:{hung.getsockname()[1]}", timeout_s=0.5)
        first, second = probe.problem(), probe.problem()
        hung.settimeout(0.1)
        asked = []
        with contextlib.suppress(TimeoutError):
            while True:
                asked.append(hung.accept()[0])
        for connection in asked:
            connection.close()
    assert first == second and "ReadTimeout" in (first or "")
    assert len(asked) == 1, "the second check used the first one's answer"


def test_check_mlflow_reaches_a_server_that_restarted_on_the_same_port() -> None:
    port = free_port()
    uri = f"http://127.0.0.1:{port}"
    with healthy_server(port):
        check_mlflow(uri)
    with pytest.raises(MlflowUnavailableError, match="cannot be reached"):
        check_mlflow(uri)  # down: the shared client has no idle connection to reuse
    with healthy_server(port):
        check_mlflow(uri)
