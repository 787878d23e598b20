"""The main job: execute every notebook with papermill against the local target, then summarise."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

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


def execute(notebook: Path, output: Path, timeout_s: int = 900) -> None:
    """Run one notebook with papermill in the notebooks folder, writing the executed copy."""
    import papermill

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
    )


def run_all(names: list[str] | None = None) -> list[Outcome]:
    """Execute the notebooks in manifest order; executed copies go to .lab/executed/."""
    root = repo_root()
    out_dir = state_dir() / "executed"
    outcomes = []
    for name in names or list(load_manifest(root).notebooks):
        output = out_dir / f"{name}.ipynb"
        start = time.monotonic()
        try:
            execute(root / "notebooks" / f"{name}.ipynb", output)
        except Exception as error:  # reported per notebook; the job fails at the end
            outcomes.append(Outcome(name, False, time.monotonic() - start, output, _short(error)))
        else:
            outcomes.append(Outcome(name, True, time.monotonic() - start, output))
    return outcomes


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
