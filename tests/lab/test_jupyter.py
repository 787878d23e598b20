"""`make jupyter`: JupyterLab on the course, with the project's kernel, stopped by PID."""

from __future__ import annotations

from pathlib import Path

import httpx
import pytest

from lab.jupyter import COURSE_PATH, server_command, start, stop
from lab.kernels import DISPLAY_NAME, KERNEL_NAME


def test_the_command_serves_the_repository_on_loopback_and_opens_the_notebooks() -> None:
    command = server_command(Path("/repo"), 8123, open_browser=False, extra=["--x=1"])
    assert command[1:3] == ["-m", "jupyterlab"]
    assert {
        "--ServerApp.root_dir=/repo",
        "--ServerApp.ip=127.0.0.1",
        "--ServerApp.port=8123",
        "--ServerApp.port_retries=0",
        "--ServerApp.open_browser=False",
        f"--LabApp.default_url=/{COURSE_PATH}",
    } <= set(command)
    assert command[-1] == "--x=1"


@pytest.mark.slow
def test_jupyterlab_serves_the_course_with_the_projects_kernel(tmp_path: Path) -> None:
    server = start(tmp_path)
    try:
        auth = {"Authorization": f"token {server.token}"}
        specs = httpx.get(f"{server.service.url}/api/kernelspecs", headers=auth, timeout=10)
        listing = httpx.get(
            f"{server.service.url}/api/contents/notebooks", headers=auth, timeout=10
        )
        page = httpx.get(server.url(), timeout=30)
        refused = httpx.get(f"{server.service.url}/api/contents/notebooks", timeout=10)
    finally:
        stop(server)
    assert specs.json()["kernelspecs"][KERNEL_NAME]["spec"]["display_name"] == DISPLAY_NAME
    names = {item["name"] for item in listing.json()["content"]}
    assert {"01_setup_training_env.ipynb", "02_run_training.ipynb"} <= names
    assert page.status_code == 200 and "JupyterLab" in page.text
    assert refused.status_code == 403, "the server answered without its token"
    assert not server.service.is_running()
