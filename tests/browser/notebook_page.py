"""Drive one notebook in JupyterLab as a student does: open it, Run All Cells, read the page."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from playwright.sync_api import Page

from lab.jupyter import JupyterLab

POLL_S = 0.5
PANEL = ".jp-NotebookPanel:not(.lm-mod-hidden)"

# What the page shows, read in one go: code cells with their prompt, text outputs and
# progress widgets, and every image in the notebook.
READ_PAGE = """panel => {
  const text = (cell, mime) => [...cell.querySelectorAll(
      `.jp-OutputArea-output[data-mime-type="${mime}"]`)].map(e => e.innerText).join('');
  const widget = el => ({
    phase: el.dataset.phase || '',
    workflows: [...el.querySelectorAll('.lab-progress-workflow')].map(w => ({
      name: w.dataset.workflow, template: w.dataset.template, phase: w.dataset.phase,
      steps: [...w.querySelectorAll('tr[data-step]')].map(r => [r.dataset.step, r.dataset.phase]),
    })),
  });
  return {
    status: panel.querySelector('.jp-Notebook-ExecutionIndicator')?.dataset.status || '',
    cells: [...panel.querySelectorAll('.jp-CodeCell')].map(cell => ({
      prompt: (cell.querySelector('.jp-InputPrompt')?.textContent || '').trim(),
      stdout: text(cell, 'application/vnd.jupyter.stdout'),
      stderr: text(cell, 'application/vnd.jupyter.stderr'),
      widgets: [...cell.querySelectorAll('.lab-progress')].map(widget),
    })),
    images: [...panel.querySelectorAll('img')].map(i => ({
      src: i.getAttribute('src') || '', complete: i.complete, width: i.naturalWidth,
    })),
  };
}"""


@dataclass
class Widget:
    """A progress widget as the page showed it: overall phase and each workflow's steps."""

    phase: str
    workflows: list[dict[str, Any]]


@dataclass
class Cell:
    """A code cell after the run: its prompt, its text outputs, its progress widgets."""

    prompt: str
    stdout: str
    stderr: str
    widgets: list[Widget]

    @property
    def executed(self) -> bool:
        """Whether the prompt shows an execution count (``[3]:``), not ``[ ]:`` or ``[*]:``."""
        return self.prompt.strip("[]: ").isdigit()


@dataclass
class NotebookRun:
    """What one Run All left on the page, and what the widgets showed while it ran."""

    name: str
    seconds: float
    cells: list[Cell]
    images: list[dict[str, Any]]
    seen_running: set[int] = field(default_factory=set)
    """Indexes (in page order) of the progress widgets seen with a step Running."""

    @property
    def widgets(self) -> list[Widget]:
        """Every progress widget, in page order."""
        return [w for cell in self.cells for w in cell.widgets]


class NotebookPage:
    """One notebook open in its own JupyterLab workspace, in one browser tab."""

    def __init__(self, page: Page, server: JupyterLab, name: str, code_cells: int) -> None:
        self.page, self.server, self.name, self.code_cells = page, server, name, code_cells
        self.path = f"notebooks/{name}.ipynb"

    def open(self, timeout_s: float = 120) -> None:
        """Open the notebook (a fresh workspace each) and wait until its kernel is idle."""
        self.page.goto(self.server.url(f"lab/workspaces/{self.name}/tree/{self.path}"))
        self._until(
            lambda: (
                self._kernel_idle()
                and self._read()["status"] == "idle"
                and len(self._read()["cells"]) == self.code_cells
            ),
            timeout_s,
            f"{self.path}: the notebook did not open with an idle kernel",
        )

    def run_all(self, timeout_s: float = 900) -> NotebookRun:
        """Run All Cells from the Run menu, wait for the end, and read the page."""
        start = time.monotonic()
        for _attempt in range(3):  # a click while JupyterLab is still busy can be lost
            self.page.get_by_role("menuitem", name="Run", exact=True).click()
            self.page.get_by_role("menuitem", name="Run All Cells", exact=True).click()
            try:
                self._until(self._started, 20, "")
                break
            except TimeoutError:
                continue
        else:
            raise TimeoutError(f"{self.path}: Run All Cells started no cell (3 tries)")
        seen_running: set[int] = set()
        quiet = 0
        deadline = start + timeout_s
        while quiet < 3:  # three idle readings in a row: the run has ended
            state = self._read()
            for index, widget in enumerate(w for c in state["cells"] for w in c["widgets"]):
                if any(
                    phase == "Running" for wf in widget["workflows"] for _, phase in wf["steps"]
                ):
                    seen_running.add(index)
            busy = any("*" in c["prompt"] for c in state["cells"]) or state["status"] != "idle"
            quiet = 0 if busy or not self._kernel_idle() else quiet + 1
            if time.monotonic() > deadline:
                raise TimeoutError(
                    f"{self.path}: still running after {timeout_s:.0f} s; prompts: "
                    + " ".join(c["prompt"] for c in state["cells"])
                )
            time.sleep(POLL_S)
        self._until(self._images_loaded, 30, f"{self.path}: images still loading")
        state = self._read()
        cells = [
            Cell(c["prompt"], c["stdout"], c["stderr"], [Widget(**w) for w in c["widgets"]])
            for c in state["cells"]
        ]
        return NotebookRun(
            self.name, time.monotonic() - start, cells, state["images"], seen_running
        )

    def screenshot(self, path: Path, max_height: int = 30_000) -> Path:
        """The whole notebook as a student scrolls through it, in one tall picture."""
        scroller = self.page.locator(f"{PANEL} .jp-WindowedPanel-outer")
        content, visible = scroller.evaluate("e => [e.scrollHeight, e.clientHeight]")
        size = self.page.viewport_size or {"width": 1400, "height": 900}
        height = min(size["height"] + content - visible, max_height)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.page.set_viewport_size({"width": size["width"], "height": height})
        try:
            scroller.evaluate("e => { e.scrollTop = 0; }")
            self.page.wait_for_timeout(500)  # let JupyterLab lay out the taller window
            self.page.screenshot(path=str(path))
        finally:
            self.page.set_viewport_size(size)
        return path

    def shut_down_kernel(self) -> None:
        """End the notebook's session and kernel, as File > Close and Shut Down does."""
        for session in self._sessions():
            if session.get("path") == self.path:
                self._api("DELETE", f"api/sessions/{session['id']}")

    # -- reading -----------------------------------------------------------------------------

    def _read(self) -> dict[str, Any]:
        panel = self.page.locator(PANEL)
        if panel.count() != 1:
            return {"status": "", "cells": [], "images": []}
        return panel.evaluate(READ_PAGE)

    def _started(self) -> bool:
        return any(c["prompt"] != "[ ]:" for c in self._read()["cells"])

    def _images_loaded(self) -> bool:
        return all(image["complete"] for image in self._read()["images"])

    def _kernel_idle(self) -> bool:
        """Whether the server's session for this notebook has a connected, idle kernel."""
        for session in self._sessions():
            kernel = session.get("kernel") or {}
            if session.get("path") == self.path:
                return kernel.get("execution_state") == "idle" and kernel.get("connections", 0) > 0
        return False

    def _sessions(self) -> list[dict[str, Any]]:
        return self._api("GET", "api/sessions").json()

    def _api(self, method: str, path: str) -> httpx.Response:
        response = httpx.request(
            method,
            f"{self.server.service.url}/{path}",
            headers={"Authorization": f"token {self.server.token}"},
            timeout=10,
        )
        response.raise_for_status()
        return response

    def _until(self, condition: Any, timeout_s: float, message: str) -> None:
        deadline = time.monotonic() + timeout_s
        while not condition():
            if time.monotonic() > deadline:
                raise TimeoutError(message or f"{self.path}: timed out")
            time.sleep(POLL_S)
