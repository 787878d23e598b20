"""What every workflow of one rehearsal shares: settings, the clock, and two callbacks.

The engine builds it; a workflow's execution and its leaves read it. Neither imports the
engine: creating a child Workflow and telling ``on_event`` go through the callbacks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from lab.rehearsal.clock import Clock
from lab.rehearsal.hooks import ImageHandler
from lab.rehearsal.processes import NodeLog
from lab.rehearsal.resources import ChildRequest
from lab.rehearsal.templates import TemplateLibrary
from lab.runs.records import NodeRecord, WorkflowRun

#: ``emit(run, kind, node)``: tell ``on_event`` that a run or one of its nodes changed.
Emit = Callable[[WorkflowRun, str, NodeRecord | None], None]
#: ``run_child(request, parent, node_path, log, where)``: create a Workflow, run it to its end.
RunChild = Callable[[ChildRequest, WorkflowRun, str, NodeLog, str], WorkflowRun]


@dataclass
class RunContext:
    """Settings of one :func:`~lab.rehearsal.rehearse` call, shared by a run and its children."""

    library: TemplateLibrary
    workdir: Path
    handlers: Mapping[str, ImageHandler]
    secrets: Mapping[tuple[str, str], str]
    clock: Clock
    deadline: float
    """When the whole rehearsal must end (``timeout_s``), on ``clock``."""
    timeout_s: float
    search_path: str
    shim_dir: Path
    emit: Emit
    run_child: RunChild
