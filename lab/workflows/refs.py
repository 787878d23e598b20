"""Check that every name a workflow uses exists: templates, tasks, WorkflowTemplates, arguments."""

from __future__ import annotations

from collections.abc import Iterator

from lab.argo.depends import RESULTS, depends_names, find_cycle, task_dependencies
from lab.argo.documents import Document, iter_templates, workflow_spec
from lab.argo.findings import Problem
from lab.argo.model import (
    TEMPLATE_TYPES,
    Declared,
    Step,
    get,
    names,
    steps_of,
    tasks_of,
    template_map,
    template_types,
    workflow_template_ref,
)
from lab.workflows.index import TemplateIndex, argument_problems, listing, suggest


class ReferenceChecker:
    """Checks one document's references against its own templates and the index."""

    def __init__(self, document: Document, index: TemplateIndex) -> None:
        """Prepare the document's spec, templates and the WorkflowTemplate it refers to."""
        self.document = document
        self.index = index
        self.spec = workflow_spec(document.raw)
        self.templates = template_map(self.spec)
        ref = workflow_template_ref(self.spec)
        self.ref = ref
        self.target = index.lookup(ref) if ref else None
        self.available = dict(self.templates)
        if self.target is not None:
            self.available = {**template_map(workflow_spec(self.target.raw)), **self.templates}

    def problem(self, context: str, message: str, mapping: object = None, key: str | None = None):
        """A Problem located at ``mapping[key]`` when known."""
        return self.document.problem(context, message, self.document.line(mapping, key))

    def check(self) -> Iterator[Problem]:
        """All reference problems of the document."""
        if not self.spec:
            return
        yield from self.check_template_names()
        if self.ref is not None:
            yield from self.check_workflow_template_ref()
        yield from self.check_entrypoint()
        on_exit = self.spec.get("onExit")
        if isinstance(on_exit, str) and on_exit not in self.available:
            hint = suggest(on_exit, self.available)
            message = f"spec.onExit names template '{on_exit}', which does not exist{hint}"
            yield self.problem("", message, self.spec, "onExit")
        hooks = self.spec.get("hooks")
        for hook_name, hook in hooks.items() if isinstance(hooks, dict) else []:
            if isinstance(hook, dict):
                yield from self.check_call(f"hook '{hook_name}'", hook)
        for _, template in iter_templates(self.spec):
            yield from self.check_template(template)

    def check_template_names(self) -> Iterator[Problem]:
        """Templates have names, and no name is used twice."""
        seen: set[str] = set()
        for index, template in iter_templates(self.spec):
            name = template.get("name")
            if not isinstance(name, str) or not name:
                yield self.problem(f"templates[{index}]", "template has no name", template)
            elif name in seen:
                yield self.problem(
                    f"template '{name}'", "template name is used twice", template, "name"
                )
            else:
                seen.add(name)

    def check_workflow_template_ref(self) -> Iterator[Problem]:
        """``workflowTemplateRef`` names a checked WorkflowTemplate and passes its parameters."""
        ref = self.ref or {}
        name, kind = ref.get("name"), self.index.kind(ref)
        context = f"workflowTemplateRef '{name}'"
        if self.target is None:
            known = self.index.cluster if ref.get("clusterScope") else self.index.namespaced
            hint = suggest(str(name), known) or listing(known, "defined")
            message = f"no {kind} named '{name}' in {self.index.where}{hint}"
            yield self.problem(context, message, self.spec, "workflowTemplateRef")
            return
        declared = Declared.of(workflow_spec(self.target.raw).get("arguments"))
        arguments = self.spec.get("arguments")
        for message in argument_problems(arguments, declared, f"{kind} '{name}'"):
            yield self.problem(context, message, self.spec, "arguments")

    def check_entrypoint(self) -> Iterator[Problem]:
        """The entrypoint exists, and the workflow's arguments feed its required inputs."""
        entry = self.spec.get("entrypoint")
        if entry is None:
            if self.document.kind in ("Workflow", "CronWorkflow") and self.ref is None:
                yield self.problem(
                    "", "spec.entrypoint is missing: name the template to run first", self.spec
                )
            return
        if not isinstance(entry, str):
            return
        if entry not in self.available:
            hint = suggest(entry, self.available) or listing(self.available, "templates")
            yield self.problem(
                "",
                f"spec.entrypoint names template '{entry}', which does not exist{hint}",
                self.spec,
                "entrypoint",
            )
            return
        given = set(Declared.of(self.spec.get("arguments")).parameters)
        if self.target is not None:
            given |= set(Declared.of(workflow_spec(self.target.raw).get("arguments")).parameters)
        template = self.available[entry]
        for name, optional in Declared.of(template.get("inputs")).parameters.items():
            if not optional and name not in given:
                message = (
                    f"the entrypoint needs input parameter '{name}', "
                    "which spec.arguments.parameters does not declare"
                )
                yield self.problem(f"template '{entry}'", message, template, "inputs")

    def check_template(self, template: dict) -> Iterator[Problem]:
        """One template: its type, unique names, and what its steps or tasks call."""
        name = template.get("name")
        context = f"template '{name}'"
        kinds = template_types(template)
        if not kinds:
            yield self.problem(
                context, f"no template type: set one of {', '.join(TEMPLATE_TYPES)}", template
            )
        elif len(kinds) > 1:
            yield self.problem(
                context, f"more than one template type: {', '.join(kinds)}", template
            )
        for block in ("inputs", "outputs"):
            for kind in ("parameters", "artifacts"):
                declared = names(get(template, block, kind))
                for duplicate in sorted({n for n in declared if declared.count(n) > 1}):
                    yield self.problem(
                        context, f"{block}.{kind}: '{duplicate}' is declared twice", template, block
                    )
        steps = list(steps_of(template))
        yield from self.check_unique(context, steps, "step")
        for step in steps:
            yield from self.check_call(f"{context}: step '{step.name}'", step.raw)
        tasks = list(tasks_of(template))
        yield from self.check_unique(context, tasks, "task")
        yield from self.check_dag(context, template, tasks)
        for task in tasks:
            yield from self.check_call(f"{context}: task '{task.name}'", task.raw)

    def check_unique(self, context: str, steps: list[Step], what: str) -> Iterator[Problem]:
        """Steps (or tasks) have names, used once."""
        seen: set[str] = set()
        for step in steps:
            if not isinstance(step.raw.get("name"), str):
                yield self.problem(context, f"{step.path}: {what} has no name", step.raw)
            elif step.name in seen:
                yield self.problem(
                    context, f"{what} name '{step.name}' is used twice", step.raw, "name"
                )
            seen.add(step.name)

    def check_dag(self, context: str, template: dict, tasks: list[Step]) -> Iterator[Problem]:
        """DAG tasks depend on existing tasks, without cycles; ``target`` names tasks."""
        known = {task.name for task in tasks}
        for task in tasks:
            where = f"{context}: task '{task.name}'"
            listed = task.raw.get("dependencies")
            for dep in listed if isinstance(listed, list) else []:
                if isinstance(dep, str) and dep not in known:
                    hint = suggest(str(dep), known)
                    yield self.problem(
                        where, f"dependencies: no task '{dep}'{hint}", task.raw, "dependencies"
                    )
            depends = task.raw.get("depends")
            if isinstance(depends, str) and listed is not None:
                message = "sets both depends and dependencies: use one (Argo refuses both)"
                yield self.problem(where, message, task.raw, "depends")
            if isinstance(depends, str):
                for dep, result in depends_names(depends):
                    if dep not in known:
                        hint = suggest(dep, known)
                        yield self.problem(
                            where, f"depends: no task '{dep}'{hint}", task.raw, "depends"
                        )
                    if result is not None and result not in RESULTS:
                        results = ", ".join(RESULTS)
                        message = f"depends: '{dep}.{result}' is not a task result ({results})"
                        yield self.problem(where, message, task.raw, "depends")
        cycle = find_cycle(
            {t.name: [d for d in task_dependencies(t.raw) if d in known] for t in tasks}
        )
        if cycle:
            yield self.problem(
                context, f"dag: dependency cycle {' -> '.join(cycle)}", template, "dag"
            )
        target = get(template, "dag", "target")
        if isinstance(target, str):
            for name in target.split():
                if name not in known:
                    yield self.problem(
                        context,
                        f"dag.target: no task '{name}'{suggest(name, known)}",
                        template,
                        "dag",
                    )

    def check_call(self, context: str, call: dict) -> Iterator[Problem]:
        """A step, task or hook runs an existing template and passes exactly its inputs."""
        on_exit = call.get("onExit")
        if isinstance(on_exit, str) and on_exit not in self.available:
            hint = suggest(on_exit, self.available)
            message = f"onExit names template '{on_exit}', which does not exist{hint}"
            yield self.problem(context, message, call, "onExit")
        hooks = call.get("hooks")
        for hook_name, hook in hooks.items() if isinstance(hooks, dict) else []:
            if isinstance(hook, dict):
                yield from self.check_call(f"{context}: hook '{hook_name}'", hook)
        chosen = [key for key in ("template", "templateRef", "inline") if call.get(key) is not None]
        if not chosen:
            yield self.problem(
                context, "runs no template: set template (or templateRef, inline)", call
            )
            return
        if len(chosen) > 1:
            yield self.problem(context, f"sets both {' and '.join(chosen)}: choose one", call)
            return
        target, what = None, ""
        if chosen == ["template"]:
            name = call["template"]
            if not isinstance(name, str):
                return
            if name not in self.available:
                hint = suggest(name, self.available) or listing(self.available, "templates")
                yield self.problem(
                    context, f"runs template '{name}', which does not exist{hint}", call, "template"
                )
                return
            target, what = self.available[name], f"template '{name}'"
        elif chosen == ["templateRef"]:
            ref = call["templateRef"]
            if not isinstance(ref, dict):
                return
            owner, kind = self.index.lookup(ref), self.index.kind(ref)
            if owner is None:
                known = self.index.cluster if ref.get("clusterScope") else self.index.namespaced
                hint = suggest(str(ref.get("name")), known)
                message = (
                    f"templateRef: no {kind} named '{ref.get('name')}' in {self.index.where}{hint}"
                )
                yield self.problem(context, message, call, "templateRef")
                return
            owned = template_map(workflow_spec(owner.raw))
            name = ref.get("template")
            if not isinstance(name, str):
                return
            if name not in owned:
                hint = suggest(str(name), owned) or listing(owned, "templates")
                message = f"templateRef: {kind} '{ref.get('name')}' has no template '{name}'{hint}"
                yield self.problem(context, message, call, "templateRef")
                return
            target, what = owned[str(name)], f"template '{name}' of {kind} '{ref.get('name')}'"
        else:
            return  # an inline template declares its inputs in place
        inputs = Declared.of(target.get("inputs"))
        for message in argument_problems(call.get("arguments"), inputs, what):
            yield self.problem(context, message, call, "arguments")


def check_references(document: Document, index: TemplateIndex) -> Iterator[Problem]:
    """Problems with the names ``document`` refers to."""
    yield from ReferenceChecker(document, index).check()
