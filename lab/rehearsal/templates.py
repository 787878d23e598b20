"""Load Argo WorkflowTemplates from a folder as plain dicts, found by ``metadata.name``.

Files are read and validated by the Argo model (:mod:`lab.argo`): the same YAML rules and
the same v3.6.5 schema as the checker.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from lab.argo.documents import ARGO_API_VERSION, Document, load_file, yaml_files
from lab.argo.findings import ArgoFileError
from lab.argo.schema import check_schema
from lab.rehearsal.errors import TemplateInvalid, TemplateNotFound, UnknownArgoField

API_VERSION = ARGO_API_VERSION


class TemplateLibrary(Mapping[str, dict[str, Any]]):
    """The WorkflowTemplates of one folder, by name, with the file each came from."""

    def __init__(self, folder: Path, templates: dict[str, dict[str, Any]], files: dict[str, Path]):
        self.folder = folder
        self._templates = templates
        self._files = files

    def __getitem__(self, name: str) -> dict[str, Any]:
        try:
            return self._templates[name]
        except KeyError:
            known = ", ".join(sorted(self._templates)) or "none"
            raise TemplateNotFound(
                f"no WorkflowTemplate named {name!r} in {self.folder} (found: {known})"
            ) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._templates)

    def __len__(self) -> int:
        return len(self._templates)

    def source(self, name: str) -> Path:
        """The file that defines the template ``name``."""
        self[name]  # raises TemplateNotFound with the known names
        return self._files[name]


def load_templates(folder: Path, *, validate: bool = True) -> TemplateLibrary:
    """Every ``kind: WorkflowTemplate`` document in ``folder``'s ``*.yaml``/``*.yml`` files.

    Args:
        folder: the folder to read (not recursive).
        validate: also check each template against Argo v3.6.5's schema.
    Returns:
        The templates by ``metadata.name``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise TemplateNotFound(f"templates folder {folder} does not exist")
    templates: dict[str, dict[str, Any]] = {}
    files: dict[str, Path] = {}
    try:
        paths = yaml_files([folder])
    except ArgoFileError:
        paths = []
    for path in paths:
        documents, problems = load_file(path)
        if problems and "no YAML document" not in problems[0].message:
            raise TemplateInvalid(str(problems[0]))
        for document in documents:
            if document.kind != "WorkflowTemplate":
                continue
            name = _name_of(document.raw, path)
            if name in templates:
                raise TemplateInvalid(
                    f"{path}: WorkflowTemplate {name!r} is also defined in {files[name]}; "
                    "names must be unique"
                )
            if validate:
                validate_template(document)
            templates[name] = document.raw
            files[name] = path
    return TemplateLibrary(folder, templates, files)


def validate_template(document: Document) -> None:
    """Check one WorkflowTemplate document against Argo's schema; raise on the first faults."""
    problems = list(check_schema(document))
    if not problems:
        return
    shown = "; ".join(str(p) for p in problems[:5])
    message = f"{document.label} is not valid for Argo v3.6.5: {shown}"
    if all("unknown field" in p.message for p in problems):
        raise UnknownArgoField(message)
    raise TemplateInvalid(message)


def _name_of(doc: dict[str, Any], path: Path) -> str:
    """A template's ``metadata.name``, which rehearsals and workflowTemplateRef use."""
    name = (doc.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise TemplateInvalid(f"{path}: a WorkflowTemplate needs metadata.name")
    return name
