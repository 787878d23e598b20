"""What a workflow run leaves behind, whichever target ran it: nodes, children, phases, events.

The local target's rehearsal and the chameleon target's Argo client both write these
records; the notebooks read them. A phase means that the thing happened.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

# Argo's node and workflow phases (no Pending: a node waiting for its pod is running).
RUNNING = "Running"
SUCCEEDED = "Succeeded"
FAILED = "Failed"
SKIPPED = "Skipped"
OMITTED = "Omitted"  # a DAG task whose depends logic did not hold
ERROR = "Error"
FINISHED_PHASES = (SUCCEEDED, FAILED, SKIPPED, OMITTED, ERROR)
FAILED_PHASES = (FAILED, ERROR)


@dataclass
class Outputs:
    """A node's outputs: ``{{steps.S.outputs.result}}`` and ``…outputs.parameters.P``."""

    result: str | None = None
    parameters: dict[str, str] = field(default_factory=dict)


@dataclass
class NodeRecord:
    """One node of a run: a step, a DAG task, or the steps/DAG template that holds them."""

    name: str
    """Step or task name as Argo displays it, e.g. ``build-container`` or ``print(1:b)``."""
    template: str
    phase: str = RUNNING
    message: str = ""
    outputs: Outputs = field(default_factory=Outputs)
    log_path: Path | None = None
    started: datetime | None = None
    finished: datetime | None = None
    path: str = ""
    """Argo's node name: ``<run>[0].step`` inside steps, ``<run>.task`` inside a DAG."""
    type: str = "Pod"
    """``Pod`` (script/container), ``Resource``, ``Steps``, ``DAG``, ``Retry`` or ``Skipped``."""
    group: int | None = None
    """Index of the parallel step group this step belongs to (None for DAG tasks)."""
    attempts: int = 0
    handled_by: str | None = None
    """The image-handler prefix that ran this step instead of its command, if any."""
    child: str | None = None
    """Name of the Workflow a resource step created."""


@dataclass
class WorkflowRun:
    """One rehearsed (or, on the cluster, submitted) workflow and what it created."""

    name: str
    template: str
    parameters: dict[str, str]
    phase: str = RUNNING
    message: str = ""
    nodes: list[NodeRecord] = field(default_factory=list)
    children: list[WorkflowRun] = field(default_factory=list)
    started: datetime | None = None
    finished: datetime | None = None
    replaced_defaults: dict[str, tuple[str | None, str]] = field(default_factory=dict)
    """Parameter name → (default in the template, local value) for defaults replaced here."""
    notes: list[str] = field(default_factory=list)
    """Where the rehearsal differs from a cluster run (ignored fields, capped backoff…)."""
    workdir: Path | None = None
    parent: str | None = None
    """Path of the resource node that created this run, for a child workflow."""

    def node(self, name: str) -> NodeRecord:
        """The node whose display name is ``name`` (the last one, if a name repeats)."""
        for record in reversed(self.nodes):
            if record.name == name:
                return record
        known = ", ".join(sorted({n.name for n in self.nodes})) or "none"
        raise KeyError(f"run {self.name} has no node {name!r} (nodes: {known})")

    def walk(self) -> Iterator[WorkflowRun]:
        """This run, then its children and theirs, depth first."""
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass(frozen=True)
class Event:
    """A progress event: ``workflow-started``/``-finished``, ``node-started``/``-finished``."""

    kind: str
    run_name: str
    node: str | None = None
    phase: str | None = None
    message: str = ""
    template: str | None = None
