"""lab.kernels_ahead: a kernel started before its notebook runs it, in its folder, then exits."""

from __future__ import annotations

from pathlib import Path

import nbformat
import psutil
import pytest
from papermill.exceptions import PapermillExecutionError

from lab.kernels import KERNEL_NAME
from lab.kernels_ahead import KernelAhead
from lab.run_notebooks import execute, run_one


def notebook(folder: Path, *sources: str) -> Path:
    path = folder / "probe.ipynb"
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])
    nb.metadata["kernelspec"] = {"name": KERNEL_NAME, "display_name": "Python 3"}
    nb.metadata["language_info"] = {"name": "python"}
    nbformat.write(nb, path)
    return path


def outputs(path: Path) -> list[str]:
    nb = nbformat.read(path, as_version=4)
    return [o.get("text", "") for c in nb.cells for o in c.get("outputs", [])]


def test_papermill_runs_the_notebook_on_the_kernel_started_ahead(tmp_path: Path) -> None:
    folder = tmp_path / "notebooks"
    folder.mkdir()
    kernel = KernelAhead(folder)
    process = psutil.Process(kernel.manager.provisioner.process.pid)
    source = notebook(folder, "import os\nprint(os.getcwd(), os.getpid())")
    try:
        execute(source, tmp_path / "out.ipynb", **kernel.papermill_kwargs())
        assert process.is_running()  # papermill leaves a kernel it was handed running
    finally:
        kernel.request_shutdown()
        kernel.finish_shutdown()
    assert outputs(tmp_path / "out.ipynb") == [f"{folder} {process.pid}\n"]
    assert not process.is_running()


def test_a_failing_notebook_still_leaves_its_kernel_to_be_shut_down(tmp_path: Path) -> None:
    kernel = KernelAhead(tmp_path)
    process = psutil.Process(kernel.manager.provisioner.process.pid)
    source = notebook(tmp_path, "raise ValueError('stop here')")
    try:
        with pytest.raises(PapermillExecutionError, match="stop here"):
            execute(source, tmp_path / "out.ipynb", **kernel.papermill_kwargs())
    finally:
        kernel.request_shutdown()
        kernel.finish_shutdown()
    assert not process.is_running()
    assert "stop here" in (tmp_path / "out.ipynb").read_text()  # the traceback was written


def test_a_kernel_that_cannot_start_ahead_is_left_to_papermill(tmp_path: Path) -> None:
    assert KernelAhead.start(tmp_path, kernel_name="no-such-kernel") is None
    source = notebook(tmp_path, "print(6 * 7)")
    outcome = run_one(source, tmp_path / "out.ipynb", None)  # papermill starts its own
    assert outcome.passed, outcome.error
    assert outputs(tmp_path / "out.ipynb") == ["42\n"]


def test_shutdown_is_requested_once(tmp_path: Path, capfd: pytest.CaptureFixture[str]) -> None:
    kernel = KernelAhead(tmp_path)
    process = psutil.Process(kernel.manager.provisioner.process.pid)
    execute(notebook(tmp_path, "print(1)"), tmp_path / "out.ipynb", **kernel.papermill_kwargs())
    kernel.request_shutdown()
    kernel.request_shutdown()  # as run_all's clean-up does for the last kernel: no second one
    kernel.finish_shutdown()
    assert not process.is_running()
    assert "Event loop is closed" not in capfd.readouterr().err
