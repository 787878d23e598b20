"""Check each ``{{...}}`` variable against its scope: inputs, workflow parameters, steps, tasks.

Checked: ``inputs.parameters.X`` / ``inputs.artifacts.X`` (declared by the template),
``workflow.parameters.X`` (declared in ``spec.arguments``), ``steps.S...`` (an earlier
step of the same steps template), ``tasks.T...`` (a task the current task depends on),
outputs named on a step's or task's template, and ``item`` (only where a step loops).
Expression tags (``{{=...}}``) and other variables (``workflow.name``, ``pod.name`` ...)
are left to Argo.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lab.argo.depends import ancestors, task_dependencies
from lab.argo.documents import Document, iter_templates, workflow_spec
from lab.argo.findings import Problem
from lab.argo.manifests import parse_manifest
from lab.argo.model import (
    LOOP_FIELDS,
    Declared,
    Step,
    get,
    names,
    steps_of,
    tasks_of,
    template_map,
    template_type,
    workflow_template_ref,
)
from lab.argo.variables import PLACEHOLDER, strings
from lab.workflows.index import TemplateIndex, listing, suggest

NO_RESULT_TYPES = ("resource", "suspend")


@dataclass(frozen=True)
class Scope:
    """What a string in one place of a template may refer to."""

    template: str | None  # None outside templates (spec-level fields)
    inputs: Declared
    workflow_parameters: frozenset[str] | None  # None when unknown
    kind: str | None = None  # "steps" or "tasks" when the template has them
    members: tuple[str, ...] = ()  # all steps or tasks of the template
    runs: tuple[tuple[str, dict | None], ...] = ()  # member -> the template it runs
    visible: frozenset[str] | None = None  # members whose outputs are visible; None: all
    current: str | None = None  # the step or task the string belongs to
    loop: bool = False


class VariableChecker:
    """Checks the variables of one document."""

    def __init__(self, document: Document, index: TemplateIndex) -> None:
        """Collect the document's templates and the workflow parameters it declares."""
        self.document = document
        self.spec = workflow_spec(document.raw)
        self.templates = template_map(self.spec)
        declared = set(names(get(self.spec, "arguments", "parameters")))
        known: frozenset[str] | None = frozenset(declared)
        ref = workflow_template_ref(self.spec)
        if ref is not None:
            target = index.lookup(ref)
            if target is None:
                known = None
            else:
                self.templates = {**template_map(workflow_spec(target.raw)), **self.templates}
                theirs = names(get(workflow_spec(target.raw), "arguments", "parameters"))
                known = frozenset(declared | set(theirs))
        self.workflow_parameters = known

    def check(self) -> Iterator[Problem]:
        """All variable problems of the document."""
        if not self.spec:
            return
        if (
            not self.document.embedded_in
        ):  # an embedded resource's fields belong to the outer template
            outside = Scope(None, Declared({}, {}), self.workflow_parameters)
            spec_strings = strings(self.spec, "spec", frozenset({"templates", "templateDefaults"}))
            yield from self.check_strings("", spec_strings, outside)
        for _, template in iter_templates(self.spec):
            yield from self.check_template(template)

    def check_template(self, template: dict) -> Iterator[Problem]:
        """The template's own fields, then each step or task in its own scope."""
        name = str(template.get("name"))
        inputs = Declared.of(template.get("inputs"))
        steps, tasks = list(steps_of(template)), list(tasks_of(template))
        kind = "steps" if steps else "tasks" if tasks else None
        members = steps or tasks
        runs = tuple((m.name, self.templates.get(str(m.raw.get("template")))) for m in members)
        base = Scope(
            name,
            inputs,
            self.workflow_parameters,
            kind,
            tuple(m.name for m in members),
            runs,
        )
        skip = {"steps", "inline"}
        manifest = parse_manifest(self.document, template)
        if manifest is not None and manifest.defines_templates():
            skip.add("resource")  # the embedded workflow is checked in its own scope
        own = strings(template, "", frozenset(skip))
        own = (s for s in own if not s[0].startswith("dag.tasks"))
        yield from self.check_strings(f"template '{name}'", own, base)
        for step in steps:
            earlier = frozenset(s.name for s in steps if s.group < step.group)
            yield from self.check_member(name, step, base, earlier)
        graph = {t.name: task_dependencies(t.raw) for t in tasks}
        for task in tasks:
            yield from self.check_member(name, task, base, ancestors(graph, task.name))

    def check_member(self, template: str, member: Step, base: Scope, visible: frozenset[str]):
        """The strings of one step or task (its arguments, when, loops ...)."""
        scope = Scope(
            base.template,
            base.inputs,
            base.workflow_parameters,
            base.kind,
            base.members,
            base.runs,
            visible,
            member.name,
            any(member.raw.get(key) is not None for key in LOOP_FIELDS),
        )
        what = "step" if base.kind == "steps" else "task"
        texts = strings(member.raw, "", frozenset({"inline"}))
        yield from self.check_strings(
            f"template '{template}': {what} '{member.name}'", texts, scope
        )

    def check_strings(self, context: str, texts: Iterator, scope: Scope) -> Iterator[Problem]:
        """Check every placeholder in ``texts``."""
        for path, text, parent, key in texts:
            for match in PLACEHOLDER.finditer(text):
                message = self.variable_problem(match.group(1).strip(), scope)
                if message:
                    line = self.document.line(parent, key) if key is not None else None
                    if line is not None and "\n" in text:
                        line += 1 + text.count("\n", 0, match.start())
                    where = f"'{match.group(0)}' in {path}: {message}"
                    yield self.document.problem(context, where, line)

    def variable_problem(self, expression: str, scope: Scope) -> str | None:
        """Why ``{{expression}}`` cannot be resolved in ``scope``, or None."""
        if expression.startswith("="):
            return None
        parts = expression.split(".")
        head = parts[0]
        if head == "inputs" and len(parts) >= 3 and parts[1] in ("parameters", "artifacts"):
            if scope.template is None:
                return "inputs exist only inside a template"
            declared = (
                scope.inputs.parameters if parts[1] == "parameters" else scope.inputs.artifacts
            )
            kind = parts[1][:-1]
            if parts[2] not in declared:
                hint = suggest(parts[2], declared) or listing(declared)
                return f"template '{scope.template}' has no input {kind} '{parts[2]}'{hint}"
            return None
        if head == "workflow" and len(parts) >= 3 and parts[1] == "parameters":
            known = scope.workflow_parameters
            if known is not None and parts[2] not in known:
                hint = suggest(parts[2], known) or listing(known)
                return f"spec.arguments declares no parameter '{parts[2]}'{hint}"
            return None
        if head in ("steps", "tasks") and len(parts) >= 2:
            return self.member_problem(head, parts[1], parts[2:], scope)
        if head == "item" and not scope.loop:
            return "'item' exists only in a step or task with withItems, withParam or withSequence"
        return None

    def member_problem(self, kind: str, name: str, rest: list[str], scope: Scope) -> str | None:
        """Why a ``steps.S...`` or ``tasks.T...`` variable cannot be resolved, or None."""
        what = kind[:-1]
        if scope.kind != kind:
            return (
                f"template '{scope.template}' has no {kind}"
                if scope.template
                else f"no {kind} here"
            )
        if name == "name" and not rest:
            return None
        if name not in scope.members:
            hint = suggest(name, scope.members)
            return f"template '{scope.template}' has no {what} '{name}'{hint}"
        if scope.visible is not None and name not in scope.visible:
            if kind == "steps":
                return (
                    f"step '{name}' does not run before step '{scope.current}' "
                    "(put it in an earlier group)"
                )
            return (
                f"task '{scope.current}' does not depend on task '{name}' "
                "(add it to dependencies or depends)"
            )
        runs = dict(scope.runs).get(name)
        if runs is None or len(rest) < 2 or rest[0] != "outputs":
            return None
        runs_name = runs.get("name")
        if rest[1] == "result" and template_type(runs) in NO_RESULT_TYPES:
            kind_of = template_type(runs)
            return f"template '{runs_name}' is a {kind_of} template: it has no outputs.result"
        if rest[1] in ("parameters", "artifacts") and len(rest) >= 3:
            declared = names(get(runs, "outputs", rest[1]))
            if rest[2] not in declared:
                hint = suggest(rest[2], declared) or listing(declared)
                return f"template '{runs_name}' has no output {rest[1][:-1]} '{rest[2]}'{hint}"
        return None


def check_variables(document: Document, index: TemplateIndex) -> Iterator[Problem]:
    """Problems with the ``{{...}}`` variables of ``document``."""
    yield from VariableChecker(document, index).check()
