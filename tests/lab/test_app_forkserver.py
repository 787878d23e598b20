"""lab.services.app_forkserver: each check is a new app process, from the build context."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import httpx
import psutil
import pytest

from lab.services.app_forkserver import (
    FORKSERVER_NAME,
    preload,
    socket_path,
    start_app_preloaded,
)
from lab.services.process import find_service, stop_all, stop_service
from tests.app.serving import assemble_context, make_serving_artifact

pytestmark = pytest.mark.slow


@pytest.fixture
def state(tmp_path: Path) -> Iterator[Path]:
    """A state folder whose services (the fork server, apps) are stopped after the test."""
    yield tmp_path / "state"
    stop_all(tmp_path / "state")


def test_each_start_is_a_new_process_serving_its_own_context(tmp_path: Path, state: Path) -> None:
    serving = make_serving_artifact(tmp_path / "serving")
    contexts = [assemble_context(tmp_path / f"context-{n}", serving, n) for n in (3, 4)]
    served = []
    server = preload(state)
    for context in contexts:
        app = start_app_preloaded(context, state, timeout_s=90)
        try:
            process = psutil.Process(app.pid)
            assert process.ppid() == server.pid, "forked by the fork server"
            assert process.cwd() == str(context)
            assert app.is_running()
            served.append(httpx.get(f"{app.url}/version", timeout=10).json()["model_version"])
        finally:
            stop_service(app, state)
        assert not app.is_running(), "stopped by its PID"
    assert served == ["1.0.3", "1.0.4"]
    assert find_service(FORKSERVER_NAME, state) is not None, "the fork server stays for the next"
    assert stop_all(state) == [FORKSERVER_NAME]
    assert not socket_path(state).exists(), "a stopped fork server removes its socket"


def test_the_app_imports_its_code_from_the_context_only(tmp_path: Path, state: Path) -> None:
    serving = make_serving_artifact(tmp_path / "serving")
    context = assemble_context(tmp_path / "context", serving, 7)
    shutil.rmtree(context / "gourmetgram_app")  # no app code in the context: it cannot start
    with pytest.raises(Exception, match="No module named gourmetgram_app"):
        start_app_preloaded(context, state, timeout_s=60)
