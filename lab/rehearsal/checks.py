"""Check a WorkflowTemplate before anything runs: refuse what a rehearsal cannot reproduce.

Applies the field policy of :mod:`lab.rehearsal.features` to the spec and to each
template, and checks what is statically visible: template and task names, dependencies,
durations and counts as Argo v3.6.5 reads them, and every ``{{...}}`` variable's scope.
"""

from __future__ import annotations

import posixpath
from typing import Any

from lab.argo.depends import DependsError, Outcome, evaluate, expanded_logic, find_cycle
from lab.argo.depends import ancestors as all_ancestors
from lab.argo.depends import task_dependencies as listed_dependencies
from lab.argo.variables import FORMS, blank_out, references, strings
from lab.rehearsal import resources
from lab.rehearsal.conditions import tokenize
from lab.rehearsal.errors import (
    ParameterError,
    RehearsalUnsupported,
    TemplateInvalid,
    UnresolvedVariable,
)
from lab.rehearsal.features import (
    CONTAINER,
    CONTAINER_IGNORED,
    SPEC,
    SPEC_IGNORED,
    STEP,
    TASK,
    TEMPLATE,
    TEMPLATE_IGNORED,
    TYPES,
    keys,
    parameters,
    volume_kind,
    workflow_volumes,
)
from lab.rehearsal.scope import check_tag
from lab.rehearsal.timing import check_deadlines, check_retry


def check_template(doc: dict[str, Any]) -> list[str]:
    """Refuse what a WorkflowTemplate uses and a rehearsal cannot reproduce; return notes."""
    name = doc["metadata"]["name"]
    spec = doc.get("spec") or {}
    where = f"WorkflowTemplate {name!r}: spec"
    notes: list[str] = []
    keys(spec, where, SPEC, SPEC_IGNORED, notes)
    templates = {t.get("name"): t for t in spec.get("templates") or []}
    if len(templates) != len(spec.get("templates") or []):
        raise TemplateInvalid(f"{where}.templates: template names must be unique")
    for key in ("entrypoint", "onExit"):
        if key in spec and spec[key] not in templates:
            raise TemplateInvalid(f"{where}.{key}: no template named {spec[key]!r}")
    if "entrypoint" not in spec:
        raise TemplateInvalid(f"{where}.entrypoint is required to rehearse a template")
    check_retry(spec.get("retryStrategy"), f"{where}.retryStrategy", notes)
    context = {
        "templates": templates,
        "workflow_params": parameters(spec.get("arguments") or {}, f"{where}.arguments"),
        "volumes": workflow_volumes(spec, where),
        "notes": notes,
        "default_retry": bool(spec.get("retryStrategy")),
    }
    for tname, template in templates.items():
        TemplateCheck(tname, template, f"WorkflowTemplate {name!r}: template {tname!r}", **context)
    return notes


class TemplateCheck:
    """The checks for one template of a WorkflowTemplate (run on construction)."""

    def __init__(self, name: str, template: dict[str, Any], where: str, **context: Any) -> None:
        self.name, self.t, self.where = name, template, where
        self.templates = context["templates"]
        self.workflow_params = context["workflow_params"]
        self.notes: list[str] = context["notes"]
        self.volumes = dict(context["volumes"])
        self.retried = bool(template.get("retryStrategy")) or context["default_retry"]
        self.check()

    def check(self) -> None:
        """Refuse what this template uses and a rehearsal cannot reproduce."""
        t, where = self.t, self.where
        keys(t, where, TEMPLATE, TEMPLATE_IGNORED, self.notes)
        kinds = [k for k in TYPES if k in t]
        if len(kinds) != 1:
            raise TemplateInvalid(f"{where}: needs exactly one of {', '.join(TYPES)}")
        self.kind = kinds[0]
        self.inputs = parameters(t.get("inputs") or {}, f"{where}.inputs")
        for volume in t.get("volumes") or []:
            self.volumes[volume["name"]] = volume_kind(volume, f"{where}.volumes")
        check_retry(t.get("retryStrategy"), f"{where}.retryStrategy", self.notes)
        check_deadlines(t, self.kind, where, self.notes)
        self._outputs()
        getattr(self, f"_{self.kind}")()
        skip = ("steps", "dag", "outputs") if self.kind in ("steps", "dag") else ()
        own = {k: v for k, v in t.items() if k not in skip}
        self._variables(own, where, allowed=self._leaf_kinds())

    def _outputs(self) -> None:
        outputs = self.t.get("outputs") or {}
        where = f"{self.where}.outputs"
        keys(outputs, where, {"parameters"})
        for param in outputs.get("parameters") or []:
            pwhere = f"{where}.parameters[{param.get('name')}]"
            keys(param, pwhere, {"name", "valueFrom", "description"})
            source = param.get("valueFrom") or {}
            wanted = {"resource": "jsonPath", "steps": "parameter", "dag": "parameter"}
            key = wanted.get(self.kind, "path")
            keys(source, f"{pwhere}.valueFrom", {key, "default"})
            if key not in source:
                raise RehearsalUnsupported(f"{pwhere}.valueFrom needs {key!r} here")
            if self.kind == "resource":
                resources.check_json_path(source["jsonPath"], f"{pwhere}.valueFrom.jsonPath")
            elif key == "parameter":
                prefix = "steps" if self.kind == "steps" else "tasks"
                calls = self.t["steps"] if self.kind == "steps" else [self.t["dag"]["tasks"]]
                names = {step["name"] for group in calls for step in group}
                allowed = {prefix, "inputs.parameters", "workflow.parameters", "workflow"}
                self._variables(
                    source["parameter"],
                    f"{pwhere}.valueFrom.parameter",
                    allowed,
                    earlier=names,
                    prefix=prefix,
                )

    def _pod(self, section: dict[str, Any], where: str) -> None:
        keys(section, where, CONTAINER, CONTAINER_IGNORED, self.notes)
        if "source" in section and self.kind != "script":
            message = f"{where}.source is only valid in a script template"
            raise RehearsalUnsupported(message)
        for env in section.get("env") or []:
            ewhere = f"{where}.env[{env.get('name')}]"
            keys(env, ewhere, {"name", "value", "valueFrom"})
            if "valueFrom" in env:
                keys(env["valueFrom"], f"{ewhere}.valueFrom", {"secretKeyRef"})
        mounts = {}
        for mount in section.get("volumeMounts") or []:
            mwhere = f"{where}.volumeMounts[{mount.get('name')}]"
            keys(mount, mwhere, {"name", "mountPath", "subPath"}, {"readOnly"}, self.notes)
            if mount["name"] not in self.volumes:
                raise TemplateInvalid(f"{mwhere}: no volume named {mount['name']!r}")
            mount_path = posixpath.normpath(mount["mountPath"])
            if mount_path == "/":
                raise RehearsalUnsupported(f"{mwhere}: a mount at / cannot be mapped")
            mounts[mount_path] = mount["name"]
        self._output_paths(section, mounts)

    def _output_paths(self, section: dict[str, Any], mounts: dict[str, str]) -> None:
        workdir = section.get("workingDir")
        roots = [*mounts, *([posixpath.normpath(workdir)] if workdir else [])]
        for param in (self.t.get("outputs") or {}).get("parameters") or []:
            path = param["valueFrom"]["path"]
            if "{{" in path:
                continue
            if not posixpath.isabs(path) and workdir:
                path = posixpath.join(workdir, path)
            path = posixpath.normpath(path)
            if not any(path == r or path.startswith(r.rstrip("/") + "/") for r in roots):
                raise RehearsalUnsupported(
                    f"{self.where}.outputs.parameters[{param['name']}].valueFrom.path {path!r} "
                    "is not under a volume mount or the workingDir; a rehearsal reads only files "
                    "it maps, so write it under a mounted volume"
                )

    def _container(self) -> None:
        self._pod(self.t["container"], f"{self.where}.container")

    def _script(self) -> None:
        self._pod(self.t["script"], f"{self.where}.script")
        if not self.t["script"].get("command"):
            raise TemplateInvalid(f"{self.where}.script.command is required (as in Argo)")

    def _resource(self) -> None:
        where = f"{self.where}.resource"
        supported = {"action", "manifest", "successCondition", "failureCondition"}
        keys(self.t["resource"], where, supported, {"setOwnerReference"}, self.notes)
        resources.check_resource(self.t["resource"], where)

    def _leaf_kinds(self) -> set[str]:
        """Variables a template's own fields may use (steps and tasks only in their calls)."""
        kinds = {"inputs.parameters", "workflow.parameters", "workflow"}
        return kinds | ({"retries"} if self.retried else set())

    def _steps(self) -> None:
        seen: set[str] = set()
        for g, group in enumerate(self.t["steps"]):
            names = set()
            for step in group:
                swhere = f"{self.where}.steps[{g}][{step.get('name')}]"
                self._call(step, swhere, STEP, earlier=seen, prefix="steps")
                names.add(step["name"])
            seen |= names

    def _dag(self) -> None:
        dag = self.t["dag"]
        keys(dag, f"{self.where}.dag", {"tasks", "failFast", "target"})
        tasks = {task["name"]: task for task in dag["tasks"]}
        deps = {}
        for name, task in tasks.items():
            twhere = f"{self.where}.dag.tasks[{name}]"
            if "depends" in task and "dependencies" in task:
                raise TemplateInvalid(f"{twhere}: use either dependencies or depends, not both")
            deps[name] = listed_dependencies(task)
            for need in deps[name]:
                if need not in tasks:
                    raise TemplateInvalid(f"{twhere}: no task {need!r}")
            try:  # every result name and the syntax, with all dependencies succeeded
                evaluate(expanded_logic(task, tasks), {n: Outcome("Succeeded") for n in tasks})
            except DependsError as error:
                raise TemplateInvalid(f"{twhere}.depends: {error}") from None
        if cycle := find_cycle(deps):
            raise TemplateInvalid(f"{self.where}.dag: dependency cycle {' -> '.join(cycle)}")
        for target in str(dag.get("target") or "").split():
            if target not in tasks:
                raise TemplateInvalid(f"{self.where}.dag.target: no task {target!r}")
        for name, task in tasks.items():
            self._call(
                task,
                f"{self.where}.dag.tasks[{name}]",
                TASK,
                earlier=set(all_ancestors(deps, name)),
                prefix="tasks",
            )

    def _call(self, step, where, supported, *, earlier: set[str], prefix: str) -> None:
        """Check one step or task: its fields, target template, arguments and variables."""
        keys(step, where, supported)
        if step.get("template") not in self.templates:
            raise TemplateInvalid(f"{where}: no template named {step.get('template')!r}")
        keys(step.get("continueOn") or {}, f"{where}.continueOn", {"failed", "error"})
        args = parameters(step.get("arguments") or {}, f"{where}.arguments")
        target = self.templates[step["template"]]
        declared = {p["name"]: p for p in (target.get("inputs") or {}).get("parameters") or []}
        for pname, param in declared.items():
            if pname not in args and "value" not in param and "default" not in param:
                raise ParameterError(
                    f"{where}: template {step['template']!r} needs input parameter {pname!r}"
                )
        if "when" in step:
            tokenize(blank_out(str(step["when"]), "x"))  # refuses operators it cannot evaluate
        allowed = {"inputs.parameters", "workflow.parameters", "workflow", prefix}
        if "withItems" in step or "withParam" in step:
            allowed.add("item")
        fields = {k: v for k, v in step.items() if k != "withParam"}
        self._variables(fields, where, allowed, earlier=earlier, prefix=prefix)
        if "withParam" in step:
            self._variables(
                step["withParam"],
                f"{where}.withParam",
                allowed - {"item"},
                earlier=earlier,
                prefix=prefix,
            )

    def _variables(self, value, where, allowed, *, earlier=frozenset(), prefix="") -> None:
        """Refuse unknown variable forms, undeclared parameters and not-yet-run steps."""
        if isinstance(value, str):
            texts = [(where, value)]
        else:
            texts = [(path, text) for path, text, _, _ in strings(value, where)]
        for path, text in texts:
            for name in references(text):
                kind = check_tag(name, path)
                match = FORMS[kind].fullmatch(name)
                if kind not in allowed:
                    raise UnresolvedVariable(f"{path}: '{{{{{name}}}}}' is not available here")
                if kind == "inputs.parameters" and match["name"] not in self.inputs:
                    raise UnresolvedVariable(
                        f"{path}: '{{{{{name}}}}}': template {self.name!r} declares no input "
                        f"parameter {match['name']!r}"
                    )
                if kind == "workflow.parameters" and match["name"] not in self.workflow_params:
                    raise UnresolvedVariable(
                        f"{path}: '{{{{{name}}}}}': the workflow declares no parameter "
                        f"{match['name']!r}"
                    )
                if kind == prefix and match["step"] not in earlier:
                    raise UnresolvedVariable(
                        f"{path}: '{{{{{name}}}}}': no {prefix[:-1]} {match['step']!r} has run "
                        "before this one"
                    )
