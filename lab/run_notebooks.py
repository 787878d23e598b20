"""The main job: execute every notebook with papermill against the local target, then summarise."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lab.kernels_ahead import KernelAhead
from lab.notebooks.manifest import load_manifest
from lab.paths import repo_root, state_dir

# Papermill runs unattended: plain-text progress instead of widgets nobody sees.
PARAMETERS = {"target": "local", "progress": "text"}


@dataclass(frozen=True)
class Outcome:
    """How one notebook's execution went."""

    name: str
    passed: bool
    seconds: float
    output: Path
    error: str = ""


def execute(notebook: Path, output: Path, timeout_s: int = 900, **engine_kwargs: Any) -> None:
    """Run one notebook with papermill in the notebooks folder, writing the executed copy.

    ``engine_kwargs`` go to papermill's engine (a started kernel: :mod:`lab.kernels_ahead`).
    """
    import papermill  # here: a second or so of imports, while the first kernel boots

    output.parent.mkdir(parents=True, exist_ok=True)
    papermill.execute_notebook(
        str(notebook),
        str(output),
        parameters=PARAMETERS,
        kernel_name="python3",
        cwd=str(notebook.parent),
        progress_bar=False,
        execution_timeout=timeout_s,
        # The executed copy is written once, at the end, as on an error: saving it at every
        # cell's start and end re-validated the whole notebook each time (~1 s of CPU a run).
        request_save_on_cell_execute=False,
        **engine_kwargs,
    )


def run_all(names: list[str] | None = None) -> list[Outcome]:
    """Execute the notebooks in manifest order; executed copies go to .lab/executed/.

    Each notebook's kernel is started ahead (:mod:`lab.kernels_ahead`): the first before
    papermill is imported, the next one as the notebook before it begins.
    """
    root = repo_root()
    folder = root / "notebooks"
    out_dir = state_dir() / "executed"
    todo = names or list(load_manifest(root).notebooks)
    outcomes = []
    started = [KernelAhead.start(folder)]
    try:
        for number, name in enumerate(todo):
            kernel = started[-1]
            if number + 1 < len(todo):
                started.append(KernelAhead.start(folder))  # boots while this notebook runs
            outcomes.append(run_one(folder / f"{name}.ipynb", out_dir / f"{name}.ipynb", kernel))
            if kernel is not None:
                kernel.request_shutdown()  # it exits while the next notebook starts
    finally:
        for kernel in filter(None, started):
            kernel.request_shutdown()
            kernel.finish_shutdown()
    return outcomes


def run_one(notebook: Path, output: Path, kernel: KernelAhead | None) -> Outcome:
    """Execute one notebook on ``kernel`` (None: papermill starts one); report, not raise."""
    start = time.monotonic()
    try:
        execute(notebook, output, **(kernel.papermill_kwargs() if kernel else {}))
    except Exception as error:  # reported per notebook; the job fails at the end
        return Outcome(notebook.stem, False, time.monotonic() - start, output, _short(error))
    return Outcome(notebook.stem, True, time.monotonic() - start, output)


def _short(error: Exception) -> str:
    """The error's last meaningful line (papermill's messages carry the whole traceback)."""
    lines = [line for line in str(error).splitlines() if line.strip()]
    return lines[-1] if lines else type(error).__name__


def summary(outcomes: list[Outcome]) -> str:
    """One line per notebook: pass/fail, seconds, where the executed copy is."""
    lines = []
    for o in outcomes:
        verdict = "pass" if o.passed else "FAIL"
        lines.append(f"{verdict}  {o.seconds:6.1f} s  {o.name}  -> {o.output}")
        if o.error:
            lines.append(f"      {o.error}")
    total = sum(o.seconds for o in outcomes)
    passed = sum(o.passed for o in outcomes)
    lines.append(f"{passed} passed, {len(outcomes) - passed} failed in {total:.1f} s")
    return "\n".join(lines)
