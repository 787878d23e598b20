"""Draw each WorkflowTemplate as a Graphviz DOT graph, read from its YAML (never by hand).

Steps run top to bottom, a parallel group side by side; each step names the template it
runs; edges carry ``when`` conditions; a resource template that creates a Workflow from
another WorkflowTemplate links to that template's picture. Output is deterministic.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from lab.argo.documents import Document, load_file, workflow_spec
from lab.argo.findings import ArgoFileError
from lab.argo.manifests import parse_manifest
from lab.argo.model import get, steps_of, tasks_of, template_map, template_type
from lab.workflows.labels import (
    dependency_labels,
    describe_template,
    label,
    label_text,
    loop_details,
    parameter_list,
    quote,
)

WORKFLOWS_DIR = "workflows"
IMAGES_DIR = "images"
FONT = "DejaVu Sans"
BARRIER = 'shape=point, width=0.08, style=filled, fillcolor="#2d3748", label=""'
HEADER = """\
// Drawn by lab.workflows.draw from {source}: regenerate it, do not edit.
digraph {name} {{
    graph [rankdir=TB, fontname="{font}", fontsize=12, nodesep=0.4, ranksep=0.45, pad=0.2,
           bgcolor="white", newrank=true];
    node [shape=box, style="rounded,filled", fillcolor="#ffffff", color="#4a5568",
          fontname="{font}", fontsize=11, margin="0.15,0.06"];
    edge [color="#2d3748", fontname="{font}", fontsize=9, arrowsize=0.7];
"""


def picture_name(template_name: str) -> str:
    """The picture's file name for a WorkflowTemplate: ``workflow-<name>.svg``."""
    return f"workflow-{template_name}.svg"


class Drawing:
    """Builds the DOT text of one workflow document."""

    def __init__(self, document: Document) -> None:
        """Read the document's spec and templates."""
        self.document = document
        self.spec = workflow_spec(document.raw)
        self.templates = template_map(self.spec)
        self.lines: list[str] = []
        self.drawn: set[str] = set()

    def add(self, line: str, indent: int = 1) -> None:
        """Append a line of DOT."""
        self.lines.append("    " * indent + line)

    def dot(self) -> str:
        """The complete DOT text."""
        name = str(self.document.name)
        source = Path(self.document.file).name
        self.lines = [HEADER.format(name=quote(name), font=FONT, source=source).rstrip("\n")]
        entry = self.spec.get("entrypoint")
        params = parameter_list(self.spec.get("arguments"))
        start = "start"
        details = [f"entrypoint: {entry}"] + [f"parameter {p}" for p in params]
        title = label(f"{self.document.kind} {name}", *details)
        self.add(f'{start} [label={title}, fillcolor="#ebf8ff"];')
        if isinstance(entry, str) and entry in self.templates:
            self.draw_template(entry, [start], "")
        on_exit = self.spec.get("onExit")
        if isinstance(on_exit, str):
            node = quote(f"exit:{on_exit}")
            text = label(f"on exit: {on_exit}", describe_template(self.templates.get(on_exit)))
            self.add(f'{node} [label={text}, style="rounded,dashed"];')
            ending = 'style=dotted, label="when the workflow ends", constraint=false'
            self.add(f"{start} -> {node} [{ending}];")
        self.lines.append("}")
        return "\n".join(self.lines) + "\n"

    def draw_template(self, name: str, sources: list[str], edge_label: str) -> list[str]:
        """Draw a steps or DAG template as a cluster, entered from ``sources``; return its exits."""
        template = self.templates[name]
        if name in self.drawn:  # a template used twice: link to its first drawing
            return sources
        self.drawn.add(name)
        steps, tasks = list(steps_of(template)), list(tasks_of(template))
        if not steps and not tasks:
            return sources
        self.add(f"subgraph {quote('cluster_' + name)} {{")
        kind = "steps" if steps else "dag"
        self.add(f"label={label(name, f'{kind} template')};", 2)
        self.add('labeljust=l; style="rounded,filled"; fillcolor="#f7fafc"; color="#a0aec0";', 2)
        members = self.member_nodes(name, steps or tasks)
        if steps:
            groups: dict[int, list[str]] = {}
            for step in steps:
                groups.setdefault(step.group, []).append(step.name)
            for position, group in enumerate(sorted(groups)):
                if len(groups[group]) > 1:
                    same = " ".join(quote(f"{name}/{s}") + ";" for s in groups[group])
                    self.add(f"{{ rank=same; {same} }}", 2)
                if len(groups[group]) > 1 and position + 1 < len(groups):
                    barrier = quote(f"{name}/after-group-{position + 1}")
                    self.add(f"{barrier} [{BARRIER}];", 2)
        self.add("}")
        if steps:
            exits = self.connect_steps(name, steps, sources, edge_label)
        else:
            exits = self.connect_tasks(name, tasks, sources, edge_label)
        for member, runs in members:
            self.draw_callee(member, runs)
        return exits

    def member_nodes(self, name: str, members: list) -> list[tuple[str, dict | None]]:
        """Draw one node per step or task; return ``(node id, template it runs)``."""
        drawn = []
        for member in members:
            runs_name = member.raw.get("template")
            runs = self.templates.get(runs_name) if isinstance(runs_name, str) else None
            ref = member.raw.get("templateRef")
            details = [f"runs {runs_name}" if isinstance(runs_name, str) else ""]
            if isinstance(ref, dict):
                details = [f"runs {ref.get('template')} of {ref.get('name')}"]
            details.append(describe_template(runs))
            details.extend(loop_details(member.raw))
            if isinstance(member.raw.get("onExit"), str):
                details.append(f"on exit: {member.raw['onExit']}")
            node = quote(f"{name}/{member.name}")
            self.add(f"{node} [label={label(member.name, *details)}];", 2)
            drawn.append((node, runs))
        return drawn

    def connect_steps(
        self, name: str, steps: list, sources: list[str], first_label: str
    ) -> list[str]:
        """Edges from each group to the next, labelled with the ``when`` of the target step.

        After a parallel group, a dot stands for "all of them finished" so that each
        condition is drawn once.
        """
        previous = sources
        groups: dict[int, list] = {}
        for step in steps:
            groups.setdefault(step.group, []).append(step)
        for position, group in enumerate(sorted(groups)):
            if len(previous) > 1:
                barrier = quote(f"{name}/after-group-{position}")
                for source in previous:
                    self.add(f"{source} -> {barrier} [arrowhead=none];")
                previous = [barrier]
            current = []
            for step in groups[group]:
                node = quote(f"{name}/{step.name}")
                when = step.raw.get("when")
                text = (
                    f"when {when}"
                    if isinstance(when, str)
                    else (first_label if position == 0 else "")
                )
                attributes = f" [label={label_text(text)}]" if text else ""
                self.add(f"{previous[0]} -> {node}{attributes};")
                current.append(node)
            previous = current
        return previous

    def connect_tasks(
        self, name: str, tasks: list, sources: list[str], first_label: str
    ) -> list[str]:
        """Edges along DAG dependencies; tasks without dependencies start from ``sources``."""
        known = {task.name for task in tasks}
        depended_on: set[str] = set()
        for task in tasks:
            node = quote(f"{name}/{task.name}")
            when = task.raw.get("when")
            suffix = f"when {when}" if isinstance(when, str) else ""
            deps = dependency_labels(task.raw)
            deps = [(dep, result) for dep, result in deps if dep in known]
            if not deps:
                for source in sources:
                    text = first_label or suffix
                    attributes = f" [label={label_text(text)}]" if text else ""
                    self.add(f"{source} -> {node}{attributes};")
            for dep, result in deps:
                depended_on.add(dep)
                text = " ".join(t for t in (result or "", suffix) if t)
                attributes = f" [label={label_text(text)}]" if text else ""
                self.add(f"{quote(f'{name}/{dep}')} -> {node}{attributes};")
        return [quote(f"{name}/{t.name}") for t in tasks if t.name not in depended_on]

    def draw_callee(self, node: str, runs: dict | None) -> None:
        """What a step's template leads to: a nested steps/DAG template or a created Workflow."""
        if runs is None:
            return
        kind = template_type(runs)
        if kind in ("steps", "dag") and isinstance(runs.get("name"), str):
            self.draw_template(runs["name"], [node], "runs")
            return
        if kind != "resource":
            return
        manifest = parse_manifest(self.document, runs)
        for embedded in manifest.documents if manifest else []:
            ref = get(workflow_spec(embedded.raw), "workflowTemplateRef", "name")
            if not isinstance(ref, str):
                continue
            target = quote(f"template:{ref}")
            if target not in self.drawn:
                self.drawn.add(target)
                text = label(f"WorkflowTemplate {ref}", f"picture: {picture_name(ref)}")
                link = quote(picture_name(ref))
                self.add(f'{target} [label={text}, style="rounded,dashed", URL={link}];')
            passed = parameter_list(get(workflow_spec(embedded.raw), "arguments"))
            text = "\n".join([f"creates {embedded.kind}", *passed])
            self.add(f"{node} -> {target} [style=dashed, label={label_text(text)}];")


def workflow_documents(path: Path) -> Iterator[Document]:
    """The workflow documents of a file (WorkflowTemplates first in file order)."""
    documents, problems = load_file(path)
    if problems:
        raise ArgoFileError(str(problems[0]))
    yield from (d for d in documents if workflow_spec(d.raw) and d.kind)


def workflow_dot(path: Path) -> str:
    """The DOT text of the first workflow document (e.g. the WorkflowTemplate) in ``path``."""
    if not path.is_file():
        raise ArgoFileError(f"{path}: no such file")
    for document in workflow_documents(path):
        return Drawing(document).dot()
    raise ArgoFileError(f"{path}: no Argo workflow document to draw")


def workflow_pictures(repo_root: Path) -> dict[Path, str]:
    """``images/workflow-<name>.svg`` (absolute) -> DOT text, for each WorkflowTemplate."""
    pictures: dict[Path, str] = {}
    folder = repo_root / WORKFLOWS_DIR
    files = (
        sorted(p for p in folder.iterdir() if p.suffix in (".yaml", ".yml"))
        if folder.is_dir()
        else []
    )
    for path in files:
        for document in workflow_documents(path):
            if document.kind == "WorkflowTemplate" and isinstance(document.name, str):
                output = (repo_root / IMAGES_DIR / picture_name(document.name)).absolute()
                pictures[output] = Drawing(document).dot()
    return dict(sorted(pictures.items()))
