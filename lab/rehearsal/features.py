"""Check, before anything runs, that a WorkflowTemplate uses only features a rehearsal reproduces.

Every field is one of three kinds: supported (rehearsed), ignored (cluster-only, no effect on
results here; each one becomes a note on the run), or refused (:class:`RehearsalUnsupported`
naming the template and field). Fields Argo does not know are refused too, because hera's
models accept them silently and Argo would not run them as meant.
"""

from __future__ import annotations

import posixpath
import re
from typing import Any

from lab.rehearsal import resources, variables
from lab.rehearsal.errors import (
    ParameterError,
    RehearsalUnsupported,
    TemplateInvalid,
    UnresolvedVariable,
)

TYPES = ("container", "script", "resource", "steps", "dag")
POD_TYPES = ("container", "script")
SPEC = {
    "entrypoint",
    "arguments",
    "templates",
    "volumeClaimTemplates",
    "volumes",
    "activeDeadlineSeconds",
    "onExit",
}
SPEC_IGNORED = {
    "serviceAccountName",
    "podGC",
    "ttlStrategy",
    "archiveLogs",
    "nodeSelector",
    "tolerations",
    "affinity",
    "securityContext",
    "imagePullSecrets",
    "podMetadata",
    "workflowMetadata",
    "priority",
    "podPriorityClassName",
    "schedulerName",
    "volumeClaimGC",
    "podDisruptionBudget",
    "automountServiceAccountToken",
    "executor",
    "artifactRepositoryRef",
    "artifactGC",
    "parallelism",
    "dnsPolicy",
    "dnsConfig",
}
TEMPLATE = {
    "name",
    "inputs",
    "outputs",
    "retryStrategy",
    "activeDeadlineSeconds",
    "timeout",
    "volumes",
    *TYPES,
}
TEMPLATE_IGNORED = {
    "metadata",
    "nodeSelector",
    "tolerations",
    "affinity",
    "securityContext",
    "serviceAccountName",
    "automountServiceAccountToken",
    "priorityClassName",
    "schedulerName",
    "archiveLocation",
    "executor",
    "parallelism",
    "failFast",
}
CONTAINER = {"name", "image", "command", "args", "env", "workingDir", "volumeMounts", "source"}
CONTAINER_IGNORED = {
    "imagePullPolicy",
    "resources",
    "securityContext",
    "ports",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "resizePolicy",
}
STEP = {"name", "template", "arguments", "when", "withItems", "withParam", "continueOn"}
TASK = STEP | {"dependencies", "depends"}
PARAMETER = {"name", "value", "default", "enum", "description"}
RETRY_POLICIES = ("Always", "OnFailure", "OnError", "OnTransientError")
_DEPENDS_TERM = re.compile(r"(?P<task>[A-Za-z0-9_-]+)(\.Succeeded)?")


def _known(model: str) -> set[str]:
    """Field names Argo knows for one hera model (by their YAML alias)."""
    from hera.workflows import models

    fields = getattr(models, model).model_fields
    return {info.alias or name for name, info in fields.items()}


def _keys(
    obj: dict[str, Any],
    where: str,
    model: str,
    supported: set[str],
    ignored: set[str] = frozenset(),
    notes: list[str] | None = None,
) -> None:
    """Refuse unknown and unsupported keys of ``obj``; note ignored ones."""
    known = _known(model)
    for key in obj:
        if key in supported:
            continue
        if key in ignored:
            if notes is not None:
                notes.append(f"{where}.{key} has no effect here (cluster only); ignored")
            continue
        what = "is not an Argo field" if key not in known else "is not supported by the rehearsal"
        raise RehearsalUnsupported(f"{where}.{key} {what}")


def check_template(doc: dict[str, Any]) -> list[str]:
    """Refuse what a WorkflowTemplate uses and a rehearsal cannot reproduce; return notes."""
    name = doc["metadata"]["name"]
    spec = doc.get("spec") or {}
    where = f"WorkflowTemplate {name!r}: spec"
    notes: list[str] = []
    _keys(spec, where, "WorkflowSpec", SPEC, SPEC_IGNORED, notes)
    templates = {t.get("name"): t for t in spec.get("templates") or []}
    if len(templates) != len(spec.get("templates") or []):
        raise TemplateInvalid(f"{where}.templates: template names must be unique")
    for key in ("entrypoint", "onExit"):
        if key in spec and spec[key] not in templates:
            raise TemplateInvalid(f"{where}.{key}: no template named {spec[key]!r}")
    if "entrypoint" not in spec:
        raise TemplateInvalid(f"{where}.entrypoint is required to rehearse a template")
    workflow_params = _parameters(spec.get("arguments") or {}, f"{where}.arguments", "Arguments")
    pod_volumes = _workflow_volumes(spec, where)
    for tname, template in templates.items():
        _Template(
            tname,
            template,
            f"WorkflowTemplate {name!r}: template {tname!r}",
            templates,
            workflow_params,
            pod_volumes,
            notes,
        ).check()
    return notes


def _parameters(holder: dict[str, Any], where: str, model: str) -> dict[str, dict[str, Any]]:
    """Parameters of an ``arguments`` or ``inputs`` section by name (artifacts refused)."""
    _keys(holder, where, model, {"parameters"})
    params: dict[str, dict[str, Any]] = {}
    for param in holder.get("parameters") or []:
        pwhere = f"{where}.parameters[{param.get('name')}]"
        _keys(param, pwhere, "Parameter", PARAMETER)
        params[param["name"]] = param
    return params


def _workflow_volumes(spec: dict[str, Any], where: str) -> dict[str, str]:
    """Volume name → ``claim`` or ``emptyDir``; other volume kinds are refused."""
    volumes = {c["metadata"]["name"]: "claim" for c in spec.get("volumeClaimTemplates") or []}
    for volume in spec.get("volumes") or []:
        volumes[volume["name"]] = _volume_kind(volume, f"{where}.volumes[{volume['name']}]")
    return volumes


def _volume_kind(volume: dict[str, Any], where: str) -> str:
    """``emptyDir`` for an emptyDir volume; refuse the rest (hostPath, secret, configMap…)."""
    kinds = [key for key in volume if key != "name"]
    if kinds == ["emptyDir"]:
        return "emptyDir"
    raise RehearsalUnsupported(
        f"{where}: {'/'.join(kinds) or 'a volume without a source'} volumes are not rehearsed; "
        "use a volumeClaimTemplate (shared by steps) or an emptyDir"
    )


class _Template:
    """The checks for one template of a WorkflowTemplate."""

    def __init__(
        self,
        name: str,
        template: dict[str, Any],
        where: str,
        templates: dict[str, dict[str, Any]],
        workflow_params: dict[str, dict[str, Any]],
        volumes: dict[str, str],
        notes: list[str],
    ) -> None:
        self.name, self.t, self.where = name, template, where
        self.templates, self.workflow_params, self.notes = templates, workflow_params, notes
        self.volumes = dict(volumes)

    def check(self) -> None:
        """Refuse what this template uses and a rehearsal cannot reproduce."""
        t, where = self.t, self.where
        _keys(t, where, "Template", TEMPLATE, TEMPLATE_IGNORED, self.notes)
        kinds = [k for k in TYPES if k in t]
        if len(kinds) != 1:
            raise TemplateInvalid(f"{where}: needs exactly one of {', '.join(TYPES)}")
        self.kind = kinds[0]
        self.inputs = _parameters(t.get("inputs") or {}, f"{where}.inputs", "Inputs")
        for volume in t.get("volumes") or []:
            self.volumes[volume["name"]] = _volume_kind(volume, f"{where}.volumes")
        self._outputs()
        self._retry()
        for key in ("activeDeadlineSeconds", "timeout"):
            if key in t and "{{" not in str(t[key]):
                parse_duration(t[key], f"{where}.{key}")
        getattr(self, f"_{self.kind}")()
        skip = ("steps", "dag", "outputs") if self.kind in ("steps", "dag") else ()
        own = {k: v for k, v in t.items() if k not in skip}
        self._variables(own, where, allowed=self._leaf_kinds())

    def _outputs(self) -> None:
        outputs = self.t.get("outputs") or {}
        where = f"{self.where}.outputs"
        _keys(outputs, where, "Outputs", {"parameters"})
        for param in outputs.get("parameters") or []:
            pwhere = f"{where}.parameters[{param.get('name')}]"
            _keys(param, pwhere, "Parameter", {"name", "valueFrom", "description"})
            source = param.get("valueFrom") or {}
            wanted = {"resource": "jsonPath", "steps": "parameter", "dag": "parameter"}
            key = wanted.get(self.kind, "path")
            _keys(source, f"{pwhere}.valueFrom", "ValueFrom", {key, "default"})
            if key not in source:
                raise RehearsalUnsupported(f"{pwhere}.valueFrom needs {key!r} here")
            if self.kind == "resource":
                resources.check_json_path(source["jsonPath"], f"{pwhere}.valueFrom.jsonPath")
            elif key == "parameter":
                prefix = "steps" if self.kind == "steps" else "tasks"
                calls = self.t["steps"] if self.kind == "steps" else [self.t["dag"]["tasks"]]
                names = {step["name"] for group in calls for step in group}
                allowed = {prefix, "inputs.parameters", "workflow.parameters", "workflow"}
                self._variables(source["parameter"], f"{pwhere}.valueFrom.parameter", allowed,
                                earlier=names, prefix=prefix)  # fmt: skip

    def _retry(self) -> None:
        retry = self.t.get("retryStrategy")
        if retry is None:
            return
        where = f"{self.where}.retryStrategy"
        _keys(
            retry,
            where,
            "RetryStrategy",
            {"limit", "retryPolicy", "backoff"},
            {"affinity"},
            self.notes,
        )
        if retry.get("retryPolicy", "OnFailure") not in RETRY_POLICIES:
            raise TemplateInvalid(f"{where}.retryPolicy must be one of {RETRY_POLICIES}")
        if not str(retry.get("limit", "0")).isdigit():
            raise RehearsalUnsupported(f"{where}.limit must be a number here")
        backoff = retry.get("backoff") or {}
        _keys(backoff, f"{where}.backoff", "Backoff", {"duration", "factor", "maxDuration", "cap"})
        for key in ("duration", "maxDuration", "cap"):
            if key in backoff:
                parse_duration(backoff[key], f"{where}.backoff.{key}")

    def _pod(self, section: dict[str, Any], where: str) -> None:
        _keys(section, where, "ScriptTemplate", CONTAINER, CONTAINER_IGNORED, self.notes)
        if "source" in section and self.kind != "script":
            raise RehearsalUnsupported(f"{where}.source is only valid in a script template")
        for env in section.get("env") or []:
            ewhere = f"{where}.env[{env.get('name')}]"
            _keys(env, ewhere, "EnvVar", {"name", "value", "valueFrom"})
            if "valueFrom" in env:
                _keys(env["valueFrom"], f"{ewhere}.valueFrom", "EnvVarSource", {"secretKeyRef"})
        mounts = {}
        for mount in section.get("volumeMounts") or []:
            mwhere = f"{where}.volumeMounts[{mount.get('name')}]"
            _keys(
                mount,
                mwhere,
                "VolumeMount",
                {"name", "mountPath", "subPath"},
                {"readOnly"},
                self.notes,
            )
            if mount["name"] not in self.volumes:
                raise TemplateInvalid(f"{mwhere}: no volume named {mount['name']!r}")
            mount_path = posixpath.normpath(mount["mountPath"])
            if mount_path == "/":
                raise RehearsalUnsupported(f"{mwhere}: a mount at / cannot be mapped")
            mounts[mount_path] = mount["name"]
        self._output_paths(section, mounts)

    def _output_paths(self, section, mounts) -> None:
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
        _keys(
            self.t["resource"],
            where,
            "ResourceTemplate",
            {"action", "manifest", "successCondition", "failureCondition"},
            {"setOwnerReference"},
            self.notes,
        )
        resources.check_resource(self.t["resource"], where)

    def _leaf_kinds(self) -> set[str]:
        """Variables a template's own fields may use (steps and tasks only in their calls)."""
        kinds = {"inputs.parameters", "workflow.parameters", "workflow"}
        return kinds | ({"retries"} if "retryStrategy" in self.t else set())

    def _steps(self) -> None:
        seen: set[str] = set()
        for g, group in enumerate(self.t["steps"]):
            names = set()
            for step in group:
                swhere = f"{self.where}.steps[{g}][{step.get('name')}]"
                self._call(step, swhere, STEP, "WorkflowStep", earlier=seen, prefix="steps")
                names.add(step["name"])
            seen |= names

    def _dag(self) -> None:
        dag = self.t["dag"]
        _keys(dag, f"{self.where}.dag", "DAGTemplate", {"tasks"}, {"failFast"}, self.notes)
        tasks = {task["name"]: task for task in dag["tasks"]}
        deps = {
            name: task_dependencies(task, f"{self.where}.dag.tasks[{name}]")
            for name, task in tasks.items()
        }
        for name, needs in deps.items():
            for need in needs:
                if need not in tasks:
                    raise TemplateInvalid(f"{self.where}.dag.tasks[{name}]: no task {need!r}")
        order = topological(deps, self.where)
        for name in order:
            ancestors = _ancestors(name, deps)
            self._call(
                tasks[name],
                f"{self.where}.dag.tasks[{name}]",
                TASK,
                "DAGTask",
                earlier=ancestors,
                prefix="tasks",
            )

    def _call(self, step, where, supported, model, *, earlier: set[str], prefix: str) -> None:
        """Check one step or task: its fields, target template, arguments and variables."""
        _keys(step, where, model, supported)
        if step.get("template") not in self.templates:
            raise TemplateInvalid(f"{where}: no template named {step.get('template')!r}")
        continue_on = step.get("continueOn") or {}
        _keys(continue_on, f"{where}.continueOn", "ContinueOn", {"failed"})
        args = _parameters(step.get("arguments") or {}, f"{where}.arguments", "Arguments")
        target = self.templates[step["template"]]
        declared = {p["name"]: p for p in (target.get("inputs") or {}).get("parameters") or []}
        for pname, param in declared.items():
            if pname not in args and "value" not in param and "default" not in param:
                raise ParameterError(
                    f"{where}: template {step['template']!r} needs input parameter {pname!r}"
                )
        allowed = {"inputs.parameters", "workflow.parameters", "workflow", prefix}
        if "withItems" in step or "withParam" in step:
            allowed.add("item")
        self._variables(
            {k: v for k, v in step.items() if k != "withParam"},
            where,
            allowed,
            earlier=earlier,
            prefix=prefix,
        )
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
        for field, text in variables.walk_strings(value, where):
            for name in variables.references(text):
                kind = variables.check_tag(name, field)
                match = variables.FORMS[kind].fullmatch(name)
                if kind not in allowed:
                    raise UnresolvedVariable(f"{field}: '{{{{{name}}}}}' is not available here")
                if kind == "inputs.parameters" and match["name"] not in self.inputs:
                    raise UnresolvedVariable(
                        f"{field}: '{{{{{name}}}}}': template {self.name!r} declares no input "
                        f"parameter {match['name']!r}"
                    )
                if kind == "workflow.parameters" and match["name"] not in self.workflow_params:
                    raise UnresolvedVariable(
                        f"{field}: '{{{{{name}}}}}': the workflow declares no parameter "
                        f"{match['name']!r}"
                    )
                if kind == prefix and match["step"] not in earlier:
                    raise UnresolvedVariable(
                        f"{field}: '{{{{{name}}}}}': no {prefix[:-1]} {match['step']!r} has run "
                        "before this one"
                    )


def task_dependencies(task: dict[str, Any], where: str) -> list[str]:
    """The tasks a DAG task waits for, from ``dependencies`` or a simple ``depends``."""
    if "depends" in task and "dependencies" in task:
        raise TemplateInvalid(f"{where}: use either dependencies or depends, not both")
    if "depends" not in task:
        return list(task.get("dependencies") or [])
    return [term for term, _ in parse_depends(task["depends"], where)]


def parse_depends(depends: str, where: str) -> list[tuple[str, bool]]:
    """``A && B.Succeeded`` → ``[("A", False), ("B", True)]`` (True: must have succeeded)."""
    terms = []
    for term in depends.split("&&"):
        match = _DEPENDS_TERM.fullmatch(term.strip())
        if not match:
            raise RehearsalUnsupported(
                f"{where}.depends: {term.strip()!r} is not rehearsed; use 'A && B' or "
                "'A.Succeeded' terms joined by '&&'"
            )
        terms.append((match["task"], match.group(2) is not None))
    return terms


def topological(deps: dict[str, list[str]], where: str) -> list[str]:
    """Task names in an order that respects dependencies (declaration order among equals)."""
    order: list[str] = []
    done: set[str] = set()
    while len(order) < len(deps):
        ready = [n for n, needs in deps.items() if n not in done and set(needs) <= done]
        if not ready:
            cycle = ", ".join(n for n in deps if n not in done)
            raise TemplateInvalid(f"{where}.dag: dependency cycle among {cycle}")
        order.append(ready[0])
        done.add(ready[0])
    return order


def _ancestors(name: str, deps: dict[str, list[str]]) -> set[str]:
    """Every task ``name`` depends on, directly or not."""
    found: set[str] = set()
    stack = list(deps[name])
    while stack:
        task = stack.pop()
        if task not in found:
            found.add(task)
            stack.extend(deps.get(task, []))
    return found


_DURATION = re.compile(r"(\d+(?:\.\d+)?)(h|m|s|ms)")


def parse_duration(value: Any, where: str) -> float:
    """Seconds in an Argo duration: a number of seconds, or Go's ``1m30s`` form."""
    text = str(value).strip()
    if re.fullmatch(r"\d+(\.\d+)?", text):
        return float(text)
    parts = _DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise TemplateInvalid(f"{where}: {value!r} is not a duration (e.g. 30, 30s, 2m)")
    scale = {"h": 3600.0, "m": 60.0, "s": 1.0, "ms": 0.001}
    return sum(float(n) * scale[u] for n, u in parts)
