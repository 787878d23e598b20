"""The shapes of an Argo workflow spec: template types, steps and tasks, declared inputs.

Read from raw YAML and tolerant of wrong shapes (a checker meets broken files): anything
of an unexpected type reads as absent; the schema check reports it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from lab.argo.documents import iter_templates

TEMPLATE_TYPES = (
    "container",
    "script",
    "resource",
    "steps",
    "dag",
    "suspend",
    "containerSet",
    "data",
    "http",
    "plugin",
)
POD_TYPES = ("container", "script", "containerSet")
ARTIFACT_SOURCES = (
    "from",
    "fromExpression",
    "s3",
    "git",
    "http",
    "artifactory",
    "hdfs",
    "raw",
    "oss",
    "gcs",
    "azure",
    "plugin",
)
LOOP_FIELDS = ("withItems", "withParam", "withSequence")


def mappings(value: Any) -> list[dict]:
    """The mappings in a list (anything else gives an empty list)."""
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def get(mapping: Any, *keys: str) -> Any:
    """``mapping[k1][k2]...``, or None where a level is missing or not a mapping."""
    for key in keys:
        if not isinstance(mapping, dict):
            return None
        mapping = mapping.get(key)
    return mapping


def names(items: Any) -> list[str]:
    """The ``name`` of each mapping in a list, in order."""
    return [item["name"] for item in mappings(items) if isinstance(item.get("name"), str)]


def template_types(template: dict) -> list[str]:
    """Which of Argo's template types ``template`` sets (exactly one is valid)."""
    return [kind for kind in TEMPLATE_TYPES if template.get(kind) is not None]


def template_type(template: dict | None) -> str | None:
    """The template's type if it sets exactly one."""
    kinds = template_types(template) if isinstance(template, dict) else []
    return kinds[0] if len(kinds) == 1 else None


def template_map(spec: dict) -> dict[str, dict]:
    """The templates of a spec by name (first one wins when a name repeats)."""
    found: dict[str, dict] = {}
    for _, template in iter_templates(spec):
        name = template.get("name")
        if isinstance(name, str):
            found.setdefault(name, template)
    return found


def parameter_has_default(parameter: dict) -> bool:
    """Whether a declared parameter can be left out: it has a value, default or valueFrom."""
    return any(parameter.get(key) is not None for key in ("value", "default", "valueFrom"))


def artifact_has_source(artifact: dict) -> bool:
    """Whether a declared input artifact can be left out: optional or with its own source."""
    return bool(artifact.get("optional")) or any(artifact.get(k) for k in ARTIFACT_SOURCES)


@dataclass(frozen=True)
class Declared:
    """The parameters and artifacts a template (or WorkflowTemplate) declares."""

    parameters: dict[str, bool]  # name -> can be left out
    artifacts: dict[str, bool]

    @classmethod
    def of(cls, block: Any) -> Declared:
        """From an ``inputs`` or ``arguments`` block."""
        parameters = {
            p["name"]: parameter_has_default(p)
            for p in mappings(get(block, "parameters"))
            if isinstance(p.get("name"), str)
        }
        artifacts = {
            a["name"]: artifact_has_source(a)
            for a in mappings(get(block, "artifacts"))
            if isinstance(a.get("name"), str)
        }
        return cls(parameters, artifacts)


@dataclass(frozen=True)
class Step:
    """A step of a steps template (with its group) or a task of a DAG template."""

    name: str
    raw: dict
    group: int  # steps: index of its parallel group; DAG tasks: index in the task list
    index: int  # position within the group (steps) or 0
    path: str  # field path inside the template: ``steps[1][0]`` or ``dag.tasks[2]``


def steps_of(template: dict) -> Iterator[Step]:
    """The steps of a steps template, group by group, in order."""
    groups = template.get("steps")
    if not isinstance(groups, list):
        return
    for group_index, group in enumerate(groups):
        if not isinstance(group, list):
            continue
        for index, step in enumerate(group):
            if isinstance(step, dict):
                name = step.get("name") if isinstance(step.get("name"), str) else f"#{index}"
                yield Step(name, step, group_index, index, f"steps[{group_index}][{index}]")


def tasks_of(template: dict) -> Iterator[Step]:
    """The tasks of a DAG template, in order."""
    for index, task in enumerate(mappings(get(template, "dag", "tasks"))):
        name = task.get("name") if isinstance(task.get("name"), str) else f"#{index}"
        yield Step(name, task, index, 0, f"dag.tasks[{index}]")


def workflow_template_ref(spec: dict) -> dict | None:
    """``spec.workflowTemplateRef``, if it is a mapping."""
    ref = spec.get("workflowTemplateRef")
    return ref if isinstance(ref, dict) else None


def image_of(template: dict) -> str | None:
    """The image a container or script template runs."""
    for kind in ("container", "script"):
        image = get(template, kind, "image")
        if isinstance(image, str):
            return image
    return None
