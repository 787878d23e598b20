"""Load Argo WorkflowTemplates from a folder as plain dicts, found by ``metadata.name``."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import yaml

from lab.rehearsal.errors import TemplateInvalid, TemplateNotFound

API_VERSION = "argoproj.io/v1alpha1"


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
        validate: also check each template against Argo's schema (hera's generated models).
    Returns:
        The templates by ``metadata.name``.
    """
    folder = Path(folder)
    if not folder.is_dir():
        raise TemplateNotFound(f"templates folder {folder} does not exist")
    templates: dict[str, dict[str, Any]] = {}
    files: dict[str, Path] = {}
    paths = sorted([*folder.glob("*.yaml"), *folder.glob("*.yml")])
    for path in paths:
        for doc in _documents(path):
            if not isinstance(doc, dict) or doc.get("kind") != "WorkflowTemplate":
                continue
            name = _name_of(doc, path)
            if name in templates:
                raise TemplateInvalid(
                    f"{path}: WorkflowTemplate {name!r} is also defined in {files[name]}; "
                    "names must be unique"
                )
            if validate:
                validate_template(doc, path)
            templates[name] = doc
            files[name] = path
    return TemplateLibrary(folder, templates, files)


def validate_template(doc: dict[str, Any], path: Path | str = "<template>") -> None:
    """Check one WorkflowTemplate document against Argo's schema (types, not unknown fields)."""
    from hera.workflows.models import WorkflowTemplate
    from pydantic import ValidationError

    if doc.get("apiVersion") != API_VERSION:
        raise TemplateInvalid(f"{path}: apiVersion must be {API_VERSION!r}")
    try:
        WorkflowTemplate.model_validate(doc)
    except ValidationError as err:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in err.errors()[:5]
        )
        raise TemplateInvalid(f"{path}: not a valid WorkflowTemplate: {problems}") from None


def _documents(path: Path) -> list[Any]:
    """All YAML documents of one file."""
    try:
        return list(yaml.safe_load_all(path.read_text(encoding="utf-8")))
    except yaml.YAMLError as err:
        raise TemplateInvalid(f"{path}: not valid YAML: {err}") from None


def _name_of(doc: dict[str, Any], path: Path) -> str:
    """A template's ``metadata.name``, which rehearsals and workflowTemplateRef use."""
    name = (doc.get("metadata") or {}).get("name")
    if not isinstance(name, str) or not name:
        raise TemplateInvalid(f"{path}: a WorkflowTemplate needs metadata.name")
    return name
