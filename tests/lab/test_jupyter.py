"""`make jupyter`: JupyterLab on the course, with the project's kernel, stopped by PID."""

from __future__ import annotations

import sys
from pathlib import Path

import httpx
import pytest

from lab.jupyter import (
    COURSE_PATH,
    JupyterMissingError,
    jupyter_python,
    server_command,
    server_env,
    start,
    stop,
)
from lab.kernels import DISPLAY_NAME, KERNEL_NAME


def test_the_command_serves_the_repository_on_loopback_and_opens_the_notebooks() -> None:
    command = server_command(Path("/repo"), 8123, open_browser=False, extra=["--x=1"])
    assert command[0] == f"{sys.prefix}-jupyter/bin/python", "JupyterLab's own environment"
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


def test_the_server_finds_the_kernelspec_of_the_labs_environment_first(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("JUPYTER_PATH", "/elsewhere")
    env = server_env("t0ken")
    assert env["JUPYTER_PATH"].split(":") == [f"{sys.prefix}/share/jupyter", "/elsewhere"]
    assert env["JUPYTER_TOKEN"] == "t0ken"


def test_a_missing_jupyter_environment_says_how_to_make_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("LAB_JUPYTER_PYTHON", str(tmp_path / "bin" / "python"))
    with pytest.raises(JupyterMissingError, match=r"run `make setup`"):
        jupyter_python()


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
