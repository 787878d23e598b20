"""Rehearse a WorkflowTemplate here, for real: the entry point, static checks and run names.

Everything that can be checked before a step runs is checked first (features, images and
commands, secrets, parameters, the children that resource steps create); then
:class:`~lab.rehearsal.execution.WorkflowExecution` runs the workflow. Differences from a
cluster are recorded in ``WorkflowRun.notes`` when they apply.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from lab.rehearsal import checks, parameters, pods, resources, shims
from lab.rehearsal.clock import Clock
from lab.rehearsal.context import RunContext
from lab.rehearsal.errors import RehearsalError, StepRefused, TemplateNotFound
from lab.rehearsal.execution import WorkflowExecution
from lab.rehearsal.hooks import ImageHandler
from lab.rehearsal.processes import NodeLog
from lab.rehearsal.templates import TemplateLibrary, load_templates
from lab.runs.records import Event, NodeRecord, WorkflowRun

NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"  # Kubernetes' generateName alphabet


def rehearse(
    templates_dir: Path,
    template_name: str,
    parameters: dict[str, str],
    *,
    workdir: Path,
    parameter_overrides: dict[str, dict[str, str]] | None = None,
    image_handlers: dict[str, ImageHandler] | None = None,
    secrets: dict[tuple[str, str], str] | None = None,
    on_event: Callable[[Event], None] | None = None,
    timeout_s: float = 600,
    seed: int | None = None,
) -> WorkflowRun:
    """Run the WorkflowTemplate ``template_name`` from ``templates_dir`` locally, for real.

    Args:
        templates_dir: folder of WorkflowTemplate YAML files (found by ``metadata.name``).
        template_name: the template to run, as ``argo submit --from workflowtemplate/NAME``.
        parameters: values for ``spec.arguments.parameters``; unknown names are refused.
        workdir: where runs keep volumes, logs and scripts (``workdir/<run-name>/``).
        parameter_overrides: per template name, local values that replace parameter defaults
            (cluster addresses); recorded in ``WorkflowRun.replaced_defaults``.
        image_handlers: image prefix → handler called instead of running such a step.
        secrets: ``(secret name, key)`` → value for ``secretKeyRef`` environment variables.
        on_event: called with each :class:`Event` as nodes and workflows start and finish.
        timeout_s: deadline for the whole rehearsal, children included.
        seed: makes run names reproducible (for tests).
    Returns:
        The run, ``Succeeded``, ``Failed`` or ``Error`` (as Argo ends it), with its nodes
        and children.
    Raises:
        RehearsalError: the template cannot be rehearsed as written (``err.run`` holds what
            ran already, if anything did).
    """
    rehearsal = Rehearsal(
        load_templates(Path(templates_dir)),
        workdir=Path(workdir),
        overrides=parameter_overrides or {},
        handlers=image_handlers or {},
        secrets=secrets or {},
        on_event=on_event,
        timeout_s=timeout_s,
        seed=seed,
    )
    return rehearsal.run(template_name, parameters)


def preflight(
    templates_dir: Path,
    template_name: str,
    *,
    image_handlers: dict[str, ImageHandler] | None = None,
    secrets: dict[tuple[str, str], str] | None = None,
    parameter_overrides: dict[str, dict[str, str]] | None = None,
) -> list[str]:
    """Every check :func:`rehearse` makes before running, without running anything.

    Returns:
        The notes a run would carry (cluster-only fields that are ignored here).
    Raises:
        RehearsalError: what :func:`rehearse` would refuse before its first step.
    """
    rehearsal = Rehearsal(
        load_templates(Path(templates_dir)),
        workdir=Path("."),
        overrides=parameter_overrides or {},
        handlers=image_handlers or {},
        secrets=secrets or {},
        on_event=None,
        timeout_s=0,
        seed=None,
    )
    for name, values in rehearsal.overrides.items():
        parameters.check_overrides(rehearsal.library[name], values)
    return list(dict.fromkeys(rehearsal.prepare(template_name)))


class Rehearsal:
    """One call of :func:`rehearse`: settings, checks and names shared by a run and its children."""

    def __init__(
        self,
        library: TemplateLibrary,
        *,
        workdir: Path,
        overrides: Mapping[str, Mapping[str, str]],
        handlers: Mapping[str, ImageHandler],
        secrets: Mapping[tuple[str, str], str],
        on_event: Callable[[Event], None] | None,
        timeout_s: float,
        seed: int | None,
    ) -> None:
        self.library, self.workdir, self.overrides = library, workdir, overrides
        self.on_event = on_event
        self.rng = random.Random(seed)
        self.prepared: dict[str, list[str]] = {}
        self.shims_ready = False
        clock = Clock()
        self.ctx = RunContext(
            library=library,
            workdir=workdir,
            handlers=handlers,
            secrets=secrets,
            clock=clock,
            deadline=clock.now() + timeout_s,
            timeout_s=timeout_s,
            search_path=shims.real_path(),
            shim_dir=workdir / ".shims",
            emit=self.emit,
            run_child=self.run_child,
        )

    def run(self, template_name: str, given: Mapping[str, str]) -> WorkflowRun:
        """Check everything that can be checked, then run the template."""
        for name, values in self.overrides.items():
            parameters.check_overrides(self.library[name], values)
        self.prepare(template_name)
        run = self.start_run(template_name, given, f"{template_name}-", "", None, "rehearse()")
        try:
            WorkflowExecution(self.ctx, run).execute()
        except RehearsalError as err:
            err.run = run
            raise
        return run

    def prepare(self, name: str) -> list[str]:
        """Static checks of a template and of the children it creates (once per template)."""
        if name in self.prepared:
            return self.prepared[name]
        doc = self.library[name]
        self.prepared[name] = notes = checks.check_template(doc)
        templates = {t["name"]: t for t in doc["spec"]["templates"]}
        for step, tname in reachable(doc):
            template = templates[tname]
            pods.check_runnable(
                template, step, self.ctx.handlers, self.ctx.secrets, self.ctx.search_path
            )
            if "resource" in template:
                where = f"WorkflowTemplate {name!r}: template {tname!r}.resource"
                request = resources.peek_child(template["resource"]["manifest"], where)
                if request is not None:
                    self.check_child(request, where)
        return notes

    def check_child(self, request: resources.ChildRequest, where: str) -> None:
        """A child's template exists, is rehearsable, and gets only parameters it declares."""
        try:
            doc = self.library[request.template]
        except TemplateNotFound as err:
            raise TemplateNotFound(f"{where}: workflowTemplateRef: {err}") from None
        self.prepare(request.template)
        overrides = self.overrides.get(request.template, {})
        parameters.resolve_workflow_parameters(
            doc, request.parameters, overrides, where, check_enums=False
        )

    def start_run(
        self,
        template: str,
        given: Mapping[str, str],
        generate_name: str,
        fixed_name: str,
        parent: str | None,
        where: str,
    ) -> WorkflowRun:
        """A new run record with resolved parameters and a fresh name and folder."""
        notes = self.prepare(template)
        doc = self.library[template]
        values, replaced = parameters.resolve_workflow_parameters(
            doc, given, self.overrides.get(template, {}), where
        )
        name = fixed_name or self.new_name(generate_name)
        run_dir = self.workdir / name
        if fixed_name and run_dir.exists():
            raise StepRefused(
                f"{where}: Workflow {name!r} already exists in {self.workdir} (a fixed "
                "metadata.name clashes on a rerun, as on a cluster; use generateName)"
            )
        run_dir.mkdir(parents=True)
        if not self.shims_ready:
            shims.install_shims(self.ctx.shim_dir, search_path=self.ctx.search_path)
            self.shims_ready = True
        return WorkflowRun(
            name=name,
            template=template,
            parameters=values,
            replaced_defaults=replaced,
            notes=list(dict.fromkeys(notes)),
            workdir=run_dir,
            parent=parent,
        )

    def run_child(
        self,
        request: resources.ChildRequest,
        parent: WorkflowRun,
        path: str,
        log: NodeLog,
        where: str,
    ) -> WorkflowRun:
        """Create the Workflow a resource step asks for and run it to its end."""
        child = self.start_run(
            request.template, request.parameters, request.generate_name, request.name, path, where
        )
        log.write(
            f"rehearsal: created Workflow {child.name} from WorkflowTemplate "
            f"{request.template}; running it to completion before going on"
        )
        try:
            WorkflowExecution(self.ctx, child).execute()
        except RehearsalError:
            parent.children.append(child)  # the partial record stays with its parent
            raise
        log.write(
            f"rehearsal: Workflow {child.name} finished: {child.phase} {child.message}".rstrip()
        )
        return child

    def new_name(self, prefix: str) -> str:
        """``prefix`` + 5 characters, like Kubernetes' generateName; unused in ``workdir``."""
        while True:
            name = prefix + "".join(self.rng.choice(NAME_ALPHABET) for _ in range(5))
            if not (self.workdir / name).exists():
                return name

    def emit(self, run: WorkflowRun, kind: str, node: NodeRecord | None = None) -> None:
        """Tell ``on_event`` what happened."""
        if self.on_event is None:
            return
        target = node or run
        self.on_event(
            Event(
                kind=kind,
                run_name=run.name,
                node=node.name if node else None,
                phase=target.phase,
                message=target.message,
                template=node.template if node else run.template,
            )
        )


def reachable(doc: Mapping[str, Any]) -> list[tuple[str, str]]:
    """``(step name, template)`` for each script/container/resource template that can run."""
    spec = doc["spec"]
    templates = {t["name"]: t for t in spec["templates"]}
    found: list[tuple[str, str]] = []
    queue = [(spec["entrypoint"], spec["entrypoint"])]
    if spec.get("onExit"):
        queue.append(("onExit", spec["onExit"]))
    seen: set[str] = set()
    while queue:
        step, tname = queue.pop(0)
        template = templates[tname]
        calls = [s for group in template.get("steps") or [] for s in group]
        calls += (template.get("dag") or {}).get("tasks") or []
        is_leaf = "steps" not in template and "dag" not in template
        if is_leaf and (step, tname) not in found:
            found.append((step, tname))
        if tname in seen:
            continue
        seen.add(tname)
        queue += [(call["name"], call["template"]) for call in calls]
    return found
