"""Argo YAML files as documents that remember their lines; find a template by name.

A file that holds no document (empty, or only comments) is a finding: Argo has nothing
to create from it, and a checker that said "no problems" about it would mislead.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from lab.argo.findings import ArgoFileError, Problem, TemplateNotFoundError
from lab.argo.yamlload import LineDict, load_documents

ARGO_API_VERSION = "argoproj.io/v1alpha1"
YAML_SUFFIXES = (".yaml", ".yml")
WORKFLOW_KINDS = ("Workflow", "WorkflowTemplate", "ClusterWorkflowTemplate", "CronWorkflow")


@dataclass
class Document:
    """One YAML document of a file; ``line_offset`` places an embedded manifest in its file."""

    file: str
    raw: Any
    index: int = 0
    line_offset: int = 0
    embedded_in: str = ""

    @property
    def kind(self) -> str | None:
        """The document's ``kind``, if it is a mapping that has one (as text)."""
        kind = self.raw.get("kind") if isinstance(self.raw, dict) else None
        return kind if isinstance(kind, str) else None

    @property
    def name(self) -> str | None:
        """``metadata.name`` (or ``generateName``), if present."""
        meta = self.raw.get("metadata") if isinstance(self.raw, dict) else None
        if not isinstance(meta, dict):
            return None
        name = meta.get("name") or meta.get("generateName")
        return name if isinstance(name, str) else None

    @property
    def label(self) -> str:
        """How messages name this document: ``WorkflowTemplate 'train-model'``."""
        if self.name:
            return f"{self.kind or 'document'} '{self.name}'"
        return self.kind or f"document {self.index + 1}"

    @property
    def prefix(self) -> str:
        """The context of an embedded document's problems; empty for a file's own documents."""
        return f"{self.embedded_in} ({self.label})" if self.embedded_in else ""

    @property
    def spec(self) -> dict:
        """The document's WorkflowSpec (see :func:`workflow_spec`)."""
        return workflow_spec(self.raw)

    def line(self, mapping: Any, key: str | None = None) -> int | None:
        """The file line of ``mapping`` (or of its ``key``), shifted for embedded documents."""
        if not isinstance(mapping, LineDict):
            return None
        found = mapping.line_of(key) if key is not None else mapping.line
        return found + self.line_offset if found else None

    def problem(self, context: str, message: str, line: int | None = None, **kw: Any) -> Problem:
        """A Problem in this document; an embedded document's context names where it is."""
        where = ": ".join(p for p in (self.prefix, context) if p)
        return Problem(self.file, where, message, line, **kw)


def parse_yaml(text: str, file: str, line_offset: int = 0) -> tuple[list[Any], list[Problem]]:
    """All documents of ``text``; a syntax error becomes a Problem with its line."""
    try:
        return load_documents(text), []
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 + line_offset if mark is not None else None
        problem = getattr(error, "problem", None) or str(error)
        return [], [Problem(file, "", f"not valid YAML: {problem}", line)]


def yaml_files(paths: Iterable[Path]) -> list[Path]:
    """The YAML files named by ``paths``: files as given, folders' ``*.yaml``/``*.yml`` sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.iterdir() if p.suffix in YAML_SUFFIXES and p.is_file())
            if not inside:
                raise ArgoFileError(f"{path}: no *.yaml or *.yml files in this folder")
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise ArgoFileError(f"{path}: no such file or folder")
    return found


def load_file(path: Path) -> tuple[list[Document], list[Problem]]:
    """Parse one file into documents (with their problems so far)."""
    file = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return [], [Problem(file, "", f"cannot read: {error}")]
    raws, problems = parse_yaml(text, file)
    if not raws and not problems:
        what = "is empty" if not text.strip() else "holds only comments"
        problems = [Problem(file, "", f"no YAML document: the file {what}; nothing to check")]
    return [Document(file, raw, index) for index, raw in enumerate(raws)], problems


def workflow_spec(raw: Any) -> dict:
    """The WorkflowSpec of a document: ``spec``, or ``spec.workflowSpec`` of a CronWorkflow."""
    spec = raw.get("spec") if isinstance(raw, dict) else None
    if not isinstance(spec, dict):
        return {}
    if raw.get("kind") == "CronWorkflow":
        inner = spec.get("workflowSpec")
        return inner if isinstance(inner, dict) else {}
    return spec


def iter_templates(spec: Any) -> Iterator[tuple[int, dict]]:
    """``(index, template)`` for each mapping in ``spec.templates``."""
    templates = spec.get("templates") if isinstance(spec, dict) else None
    if isinstance(templates, list):
        for index, template in enumerate(templates):
            if isinstance(template, dict):
                yield index, template


def find_template(path: Path, name: str) -> dict:
    """The template ``name`` of the (first) workflow document in ``path`` that has it."""
    documents, problems = load_file(path)
    if problems:
        raise TemplateNotFoundError(str(problems[0]))
    for document in documents:
        for _, template in iter_templates(workflow_spec(document.raw)):
            if template.get("name") == name:
                return template
    raise TemplateNotFoundError(f"{path}: no template named {name!r}")


def template_text(path: Path, name: str) -> str:
    """The YAML text of template ``name`` exactly as written in ``path``, as a list item."""
    template = find_template(path, name)
    lines = path.read_text(encoding="utf-8").splitlines()
    start = template.line - 1  # the line of the item's first key, after "- "
    dash = lines[start].index("-") if lines[start].lstrip().startswith("-") else None
    if dash is None:
        raise TemplateNotFoundError(f"{path}: template {name!r} is not a block list item")
    end = start + 1
    while end < len(lines):
        line = lines[end]
        if line.strip() and len(line) - len(line.lstrip()) <= dash:
            break
        end += 1
    block = [line[dash:] for line in lines[start:end]]
    while block and not block[-1].strip():
        block.pop()
    return "\n".join(block) + "\n"
