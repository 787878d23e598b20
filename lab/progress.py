"""Live progress of a workflow run in a notebook: an ipywidgets table, or plain text lines."""

from __future__ import annotations

import html
import time
from dataclasses import dataclass, field
from typing import Any

MODES = ("widgets", "text")
RUNNING = "Running"
# Badge colours per phase (Argo's UI uses the same families).
COLOURS = {
    "Running": "#1565c0",
    "Succeeded": "#2e7d32",
    "Failed": "#c62828",
    "Error": "#c62828",
    "Skipped": "#757575",
}
GREY = "color:#757575"
CELL = "text-align:left;vertical-align:top;padding:1px 1.5em 1px 0;white-space:nowrap"


class TextProgress:
    """One printed line per event: what papermill and terminals show."""

    def __call__(self, event: Any) -> None:
        """Print the event as a line."""
        print(format_event(event), flush=True)


@dataclass
class Step:
    """One step of a workflow as the board shows it."""

    name: str
    phase: str = RUNNING
    message: str = ""


@dataclass
class Workflow:
    """One workflow on the board: its steps, and the workflow that created it."""

    name: str
    template: str = ""
    phase: str = RUNNING
    message: str = ""
    created_by: str | None = None
    steps: dict[str, Step] = field(default_factory=dict)


class Board:
    """What the widget shows: every workflow of a run and its steps, updated by events."""

    def __init__(self, clock: Any = time.monotonic) -> None:
        self.workflows: dict[str, Workflow] = {}
        self._clock = clock
        self._start = clock()

    def update(self, event: Any) -> None:
        """Apply one progress event (``workflow-*`` or ``node-*``)."""
        name = getattr(event, "run_name", "") or "(workflow)"
        workflow = self.workflows.get(name) or self._add(name)
        phase = getattr(event, "phase", None) or RUNNING
        message = getattr(event, "message", "") or ""
        node = getattr(event, "node", None)
        if node:
            workflow.steps[node] = Step(node, phase, message)
        else:
            workflow.phase, workflow.message = phase, message
            if getattr(event, "template", None):
                workflow.template = event.template

    def _add(self, name: str) -> Workflow:
        """A new workflow; one that appears after the first was created by a running one."""
        creator = None
        if self.workflows:
            running = [w for w in self.workflows.values() if _running_steps(w)]
            creator = (running[-1] if running else next(iter(self.workflows.values()))).name
        workflow = Workflow(name, created_by=creator)
        self.workflows[name] = workflow
        return workflow

    @property
    def phase(self) -> str:
        """Running while any workflow runs; else Failed/Error if any did; else Succeeded."""
        phases = [w.phase for w in self.workflows.values()]
        if not phases or RUNNING in phases:
            return RUNNING
        return next((p for p in phases if p in ("Failed", "Error")), "Succeeded")

    def html(self) -> str:
        """The board as HTML: a status line, then one table per workflow (children indented)."""
        if not self.workflows:
            return '<div class="lab-progress"><i>waiting for the workflow to start…</i></div>'
        seconds = self._clock() - self._start
        first = next(iter(self.workflows.values()))
        count = len(self.workflows)
        head = (
            f"<div><b>{html.escape(first.name)}</b> {_badge(self.phase)} "
            f"<span style='{GREY}'>· {count} workflow{'s' if count > 1 else ''} · "
            f"{seconds:.0f} s</span></div>"
        )
        tables = "".join(self._table(w) for w in self.workflows.values())
        return f'<div class="lab-progress" data-phase="{_attr(self.phase)}">{head}{tables}</div>'

    def _table(self, workflow: Workflow) -> str:
        """One workflow: its name, template and phase, then a row per step."""
        rows = "".join(
            f'<tr data-step="{_attr(s.name)}" data-phase="{_attr(s.phase)}">'
            f"<td style='{CELL}'><code>{html.escape(s.name)}</code></td>"
            f"<td style='{CELL}'>{_badge(s.phase)}</td>"
            f"<td style='{CELL};white-space:normal'>{html.escape(s.message)}</td></tr>"
            for s in workflow.steps.values()
        )
        created = (
            f" <span style='{GREY}'>created by {html.escape(workflow.created_by)}</span>"
            if workflow.created_by
            else ""
        )
        indent = "margin-left:2em;" if workflow.created_by else ""
        message = f"<div>{html.escape(workflow.message)}</div>" if workflow.message else ""
        head = "".join(f"<th style='{CELL}'>{title}</th>" for title in ("step", "phase", "message"))
        return (
            f'<div class="lab-progress-workflow" data-workflow="{_attr(workflow.name)}" '
            f'data-template="{_attr(workflow.template)}" data-phase="{_attr(workflow.phase)}" '
            f'style="{indent}margin-top:0.5em">'
            f"<div><code>{html.escape(workflow.name)}</code> "
            f"({html.escape(workflow.template or '?')}) {_badge(workflow.phase)}{created}</div>"
            f"{message}<table style='border-collapse:collapse'><tr>{head}</tr>{rows}</table>"
            "</div>"
        )


class WidgetProgress:
    """The board in an ipywidgets HTML widget that updates in place, for students in Jupyter."""

    def __init__(self) -> None:
        import ipywidgets
        from IPython.display import display

        self.board = Board()
        self._view = ipywidgets.HTML(value=self.board.html())
        display(self._view)

    def __call__(self, event: Any) -> None:
        """Record the event and redraw the board."""
        self.board.update(event)
        self._view.value = self.board.html()


def _running_steps(workflow: Workflow) -> list[Step]:
    return [s for s in workflow.steps.values() if s.phase == RUNNING]


def _attr(text: str) -> str:
    return html.escape(text, quote=True)


def _badge(phase: str) -> str:
    colour = COLOURS.get(phase, "#757575")
    return (
        f'<span class="lab-progress-phase" style="color:{colour};font-weight:bold">'
        f"{html.escape(phase)}</span>"
    )


def format_event(event: Any) -> str:
    """A progress event as one readable line."""
    stamp = time.strftime("%H:%M:%S")
    where = getattr(event, "run_name", "")
    node = getattr(event, "node", None)
    if node:
        where = f"{where} / {node}"
    phase = getattr(event, "phase", "") or getattr(event, "kind", "")
    message = getattr(event, "message", "") or ""
    line = f"[{stamp}] {where}: {phase}"
    return f"{line} ({message})" if message else line


def in_notebook() -> bool:
    """Whether this runs in an IPython kernel, where a widget has a front end to show it."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, "kernel", None) is not None


def progress(mode: str = "widgets") -> TextProgress | WidgetProgress:
    """A progress callback for ``submit_workflow(on_event=...)``; widgets fall back to text."""
    if mode not in MODES:
        raise ValueError(f"progress mode {mode!r} unknown: use one of {', '.join(MODES)}")
    if mode == "widgets" and in_notebook():
        try:
            return WidgetProgress()
        except ImportError:
            pass  # no ipywidgets: plain text still shows every step
    return TextProgress()
