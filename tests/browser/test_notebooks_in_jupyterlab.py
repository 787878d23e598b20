"""The three notebooks run in JupyterLab in headless Chromium, as a student runs them.

Each notebook is opened, run with Run All Cells (default parameters: target ``local``,
``progress="widgets"``), and read back from the page: every cell ran without error output,
every image rendered, each progress widget followed its workflow live and ended as the
printed summary says, and the registry table shows the new version. A screenshot of each
notebook is saved under ``.lab/screenshots/``.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Page

from lab.jupyter import JupyterLab
from lab.notebook import BUILD_STEP, TRIGGER_STEP
from lab.notebooks.manifest import load_manifest
from lab.paths import repo_root, state_dir
from tests.browser.notebook_page import NotebookPage, NotebookRun, Widget
from tests.browser.reading import SummaryWorkflow, registry_tables, summaries

pytestmark = pytest.mark.browser

ROOT = repo_root()
NOTEBOOKS = list(load_manifest(ROOT).notebooks)
IMAGE_LINK = re.compile(r"!\[[^\]]*\]\(([^)\s]+)")


@dataclass(frozen=True)
class Expected:
    """What a notebook shows when it runs after the ones before it."""

    progress_widgets: int
    """Workflow runs it submits, each shown as a live progress widget."""
    registry_checks: int
    """Registry tables it prints that must show what the cells before them registered."""


EXPECTED = {
    "01_setup_training_env": Expected(progress_widgets=0, registry_checks=0),
    # two runs that register a version, then one whose model fails the gate
    "02_run_training": Expected(progress_widgets=3, registry_checks=3),
    # the build that notebook 02 started: version N has the alias staging
    "03_container_build": Expected(progress_widgets=0, registry_checks=1),
}


def test_every_notebook_has_expectations() -> None:
    assert sorted(EXPECTED) == sorted(NOTEBOOKS)


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_notebook_runs_in_jupyterlab(
    name: str,
    jupyterlab: JupyterLab,
    page: Page,
    screenshots: list[Path],
    local_services_stopped: None,
) -> None:
    source = ROOT / "notebooks" / f"{name}.ipynb"
    before = hashlib.sha256(source.read_bytes()).hexdigest()
    notebook = json.loads(source.read_text())
    code_cells = sum(cell["cell_type"] == "code" for cell in notebook["cells"])

    tab = NotebookPage(page, jupyterlab, name, code_cells)
    tab.open()
    try:
        run = tab.run_all()
        shot = tab.screenshot(state_dir() / "screenshots" / f"{name}.png")
        screenshots.append(shot)
    finally:
        tab.shut_down_kernel()

    check_cells_ran_cleanly(run)
    check_images(run, notebook)
    check_progress_widgets(run, EXPECTED[name].progress_widgets)
    assert registry_checks(run) == EXPECTED[name].registry_checks
    assert hashlib.sha256(source.read_bytes()).hexdigest() == before, f"{source} was saved"


def check_cells_ran_cleanly(run: NotebookRun) -> None:
    """Every code cell has an execution count and no error (stderr) output."""
    for number, cell in enumerate(run.cells, 1):
        assert not cell.stderr, f"{run.name}: code cell {number} wrote errors:\n{cell.stderr}"
        assert cell.executed, f"{run.name}: code cell {number} did not run ({cell.prompt})"


def check_images(run: NotebookRun, notebook: dict) -> None:
    """Every image the markdown links is on the page and rendered (naturalWidth > 0)."""
    linked = [
        link
        for cell in notebook["cells"]
        if cell["cell_type"] == "markdown"
        for link in IMAGE_LINK.findall("".join(cell["source"]))
    ]
    assert len(run.images) >= len(linked), f"{run.name}: images on the page {run.images}"
    broken = [image["src"] for image in run.images if image["width"] <= 0]
    assert not broken, f"{run.name}: images that did not render: {broken}"


def check_progress_widgets(run: NotebookRun, expected: int) -> None:
    """Each widget updated live, ended Succeeded, and agrees with the printed summary."""
    assert len(run.widgets) == expected, f"{run.name}: {len(run.widgets)} progress widgets"
    assert run.seen_running == set(range(expected)), (
        f"{run.name}: widgets seen with a running step: {sorted(run.seen_running)}"
    )
    for cell in (c for c in run.cells if c.widgets):
        printed = summaries(cell.stdout)
        assert len(printed) == len(cell.widgets), f"{run.name}: a widget without a summary"
        for widget, summary in zip(cell.widgets, printed, strict=True):
            assert widget.phase == "Succeeded", f"{run.name}: widget ended {widget.phase}"
            check_widget_matches_summary(widget, summary)


def check_widget_matches_summary(widget: Widget, summary: SummaryWorkflow) -> None:
    """The widget showed the same workflows, steps and phases as the summary printed after."""
    shown = {
        w["name"]: (w["template"], w["phase"], {step: phase for step, phase in w["steps"]})
        for w in widget.workflows
    }
    printed = {
        w.name: (w.template, w.phase, {step: phase for step, (phase, _) in w.steps.items()})
        for w in summary.walk()
    }
    assert shown == printed
    template, _, steps = shown[summary.name]
    assert template == "train-model" and {TRIGGER_STEP, BUILD_STEP} <= set(steps)


def registry_checks(run: NotebookRun) -> int:
    """Check each registry table against what the cells before it registered or built.

    After a train-model run registered version N, the newest row is N with the alias
    ``development``; after a run that registered nothing, the newest row is unchanged;
    after reading build N (``model version: N``), row N has ``staging``. Returns how many
    tables were checked.
    """
    checked = 0
    registered: int | None = None  # registered since the last table
    newest: int | None = None  # newest version in the last table
    for cell in run.cells:
        for workflow in summaries(cell.stdout):
            if TRIGGER_STEP in workflow.steps and workflow.steps[TRIGGER_STEP][1]:
                registered = int(workflow.steps[TRIGGER_STEP][1])
        tables = registry_tables(cell.stdout)
        if not tables:
            continue
        rows = tables[-1]
        assert rows, f"{run.name}: an empty registry table"
        if registered is not None:
            assert (rows[0].version, "development" in rows[0].aliases) == (registered, True), (
                f"{run.name}: version {registered} was registered, the registry shows {rows}"
            )
            checked += 1
        elif newest is not None and summaries(cell.stdout):
            assert rows[0].version == newest, f"{run.name}: a rejected model was registered"
            checked += 1
        for built in re.findall(r"^model version: (\d+)$", cell.stdout, re.MULTILINE):
            by_version = {row.version: row for row in rows}
            assert "staging" in by_version[int(built)].aliases, (
                f"{run.name}: version {built} was built, the registry shows {rows}"
            )
            checked += 1
        registered, newest = None, rows[0].version
    return checked
