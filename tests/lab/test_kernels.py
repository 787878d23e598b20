"""The project's kernelspec: the one the notebooks name, on this Python, over IPC, quiet."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest
from jupyter_client.kernelspec import KernelSpecManager
from jupyter_client.manager import KernelManager

from lab.kernels import KERNEL_NAME, PROVISIONER_NAME, ipc_base
from lab.paths import repo_root

NOTEBOOKS = sorted((repo_root() / "notebooks").glob("*.ipynb"))


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_the_kernelspec_a_notebook_names_is_the_projects(notebook: Path) -> None:
    named = json.loads(notebook.read_text())["metadata"]["kernelspec"]
    spec = KernelSpecManager().get_kernel_spec(named["name"])
    assert named["name"] == KERNEL_NAME
    assert spec.display_name == named["display_name"]
    assert spec.argv[0] == sys.executable, "run `make setup`: it installs the kernelspec"
    assert spec.metadata["kernel_provisioner"]["provisioner_name"] == PROVISIONER_NAME


def test_a_kernel_runs_over_ipc_without_the_tcp_warning(tmp_path: Path) -> None:
    manager = KernelManager(kernel_name=KERNEL_NAME)
    stderr = tmp_path / "kernel.err"
    with stderr.open("w") as err:
        manager.start_kernel(stderr=err, cwd=str(tmp_path))
    try:
        client = manager.client()
        client.start_channels()
        client.wait_for_ready(timeout=60)
        reply = client.execute_interactive("print(6 * 7)", timeout=60)
        client.stop_channels()
        info = manager.get_connection_info()
        sockets = [Path(f"{info['ip']}-{info[f'{name}_port']}") for name in ("shell", "iopub")]
        assert all(path.exists() for path in sockets)
    finally:
        manager.shutdown_kernel(now=True)
    assert reply["content"]["status"] == "ok"
    assert info["transport"] == "ipc"
    assert Path(info["ip"]).is_absolute() and not list(tmp_path.glob("*ipc*"))
    assert "without encryption" not in stderr.read_text()
    assert not any(path.exists() for path in sockets), "IPC socket files left behind"


def test_ipc_sockets_sit_beside_the_connection_file_or_in_the_runtime_folder() -> None:
    assert ipc_base("/run/jupyter/kernel-1.json", "k") == "/run/jupyter/kernel-1-ipc"
    assert ipc_base("", "abc").endswith("/kernel-abc-ipc")
    assert Path(ipc_base("", "abc")).is_absolute()
