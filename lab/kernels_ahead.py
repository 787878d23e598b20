"""Kernels started ahead of their notebooks, for the main job (lab/run_notebooks.py).

Papermill starts a notebook's kernel when that notebook begins, and the run waits for it to
boot (a Python importing ipykernel, about a second here) before the first cell: three times
in a run, while a core is often idle. Started ahead, in the notebook's folder as papermill
would start it, a kernel boots while the run does something else: the first one while the
run imports papermill, the next one while the notebook before it runs. Papermill is handed
the started kernel and uses it as its own; it leaves it running, so it is shut down here.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from jupyter_client.manager import AsyncKernelManager
from jupyter_core.utils import run_sync

from lab.kernels import KERNEL_NAME


class KernelAhead:
    """One kernel, started now in ``cwd``; handed to papermill as ``km``, then shut down."""

    def __init__(self, cwd: Path, kernel_name: str = KERNEL_NAME) -> None:
        # The class nbclient itself uses: papermill drives it on the same event loop.
        self.manager = AsyncKernelManager(kernel_name=kernel_name)
        run_sync(self.manager.start_kernel)(cwd=str(cwd))
        self.shutdown_requested = False

    @classmethod
    def start(cls, cwd: Path, kernel_name: str = KERNEL_NAME) -> KernelAhead | None:
        """A kernel started ahead, or None if it cannot start: papermill then starts its own
        when the notebook begins, and a notebook that cannot run says why, as before."""
        try:
            return cls(cwd, kernel_name)
        except Exception:  # e.g. no such kernelspec: papermill's own start reports it
            return None

    def papermill_kwargs(self) -> dict[str, Any]:
        """What papermill.execute_notebook needs to run the notebook on this kernel."""
        return {"km": self.manager}

    def request_shutdown(self) -> None:
        """Ask the kernel to exit, once, without waiting for it (the run goes on meanwhile).

        Once: a second request reaches a kernel already closing its event loop, which then
        prints an "Event loop is closed" traceback.
        """
        if not self.shutdown_requested and run_sync(self.manager.is_alive)():
            run_sync(self.manager.request_shutdown)()
            self.shutdown_requested = True

    def finish_shutdown(self) -> None:
        """Wait for the kernel to exit (killing it after a few seconds), then tidy up."""
        if run_sync(self.manager.is_alive)():
            run_sync(self.manager.finish_shutdown)()
        run_sync(self.manager.cleanup_resources)()
