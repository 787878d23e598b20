"""Live progress of a workflow run in a notebook: an ipywidgets table, or plain text lines."""

from __future__ import annotations

import html
import time
from typing import Any

MODES = ("widgets", "text")


class TextProgress:
    """One printed line per event: what papermill and terminals show."""

    def __call__(self, event: Any) -> None:
        """Print the event as a line."""
        print(format_event(event), flush=True)


class WidgetProgress:
    """A table of steps that updates in place, for students in Jupyter."""

    def __init__(self) -> None:
        import ipywidgets
        from IPython.display import display

        self._rows: dict[tuple[str, str], tuple[str, str]] = {}
        self._view = ipywidgets.HTML(value="<i>waiting for the workflow to start…</i>")
        display(self._view)

    def __call__(self, event: Any) -> None:
        """Record the event and redraw the table."""
        node = getattr(event, "node", None) or "(workflow)"
        key = (getattr(event, "run_name", ""), node)
        self._rows[key] = (getattr(event, "phase", "") or "", getattr(event, "message", "") or "")
        self._view.value = self._table()

    def _table(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(run)}</td><td>{html.escape(node)}</td>"
            f"<td>{html.escape(phase)}</td><td>{html.escape(message)}</td></tr>"
            for (run, node), (phase, message) in self._rows.items()
        )
        head = "<tr><th>workflow</th><th>step</th><th>phase</th><th>message</th></tr>"
        return f"<table>{head}{rows}</table>"


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


def progress(mode: str = "widgets") -> TextProgress | WidgetProgress:
    """A progress callback for ``submit_workflow(on_event=...)``; widgets fall back to text."""
    if mode not in MODES:
        raise ValueError(f"progress mode {mode!r} unknown: use one of {', '.join(MODES)}")
    if mode == "widgets":
        try:
            return WidgetProgress()
        except ImportError:
            pass  # no ipywidgets or not in IPython: plain text still shows every step
    return TextProgress()
