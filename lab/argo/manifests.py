"""Resources embedded as text in ``resource.manifest``, parsed as documents of their file.

A manifest is YAML with Argo placeholders that Argo fills in before creating the
resource, so an unquoted ``{{...}}`` is legal there; such placeholders are replaced by a
dummy word before parsing when the text does not parse as it is.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from lab.argo.documents import Document, iter_templates, parse_yaml, workflow_spec
from lab.argo.findings import Problem
from lab.argo.model import get
from lab.argo.variables import PLACEHOLDER, blank_out

DUMMY = "argo-placeholder"


@dataclass
class Manifest:
    """A template's embedded manifest: where it is and what it parsed to."""

    template: str
    action: str | None
    documents: list[Document]
    problems: list[Problem]

    def is_argo(self, document: Document) -> bool:
        """Whether a parsed document is an Argo resource (so Argo's checks apply)."""
        api = document.raw.get("apiVersion") if isinstance(document.raw, dict) else None
        return isinstance(api, str) and api.startswith("argoproj.io/")

    def defines_templates(self) -> bool:
        """Whether an embedded Argo resource brings its own templates (its own scope)."""
        return any(
            self.is_argo(doc) and any(True for _ in iter_templates(workflow_spec(doc.raw)))
            for doc in self.documents
        )


def parse_manifest(document: Document, template: dict) -> Manifest | None:
    """Parse ``template.resource.manifest`` of ``document``, or None if it has none."""
    text = get(template, "resource", "manifest")
    if not isinstance(text, str):
        return None
    name = template.get("name") if isinstance(template.get("name"), str) else "?"
    resource = template.get("resource")
    offset = document.line(resource, "manifest") or 0
    raws, problems = parse_yaml(text, document.file, offset)
    if problems and PLACEHOLDER.search(text):
        raws, problems = parse_yaml(blank_out(text, DUMMY), document.file, offset)
    where = ": ".join(p for p in (document.prefix, f"template '{name}': resource.manifest") if p)
    documents = [
        Document(document.file, raw, index, line_offset=offset, embedded_in=where)
        for index, raw in enumerate(raws)
    ]
    found = [Problem(p.file, where, p.message, p.line) for p in problems]
    action = resource.get("action") if isinstance(resource, dict) else None
    return Manifest(name, action if isinstance(action, str) else None, documents, found)


def manifests(document: Document) -> Iterator[Manifest]:
    """Every parsed ``resource.manifest`` of the document's templates, in order."""
    for _, template in iter_templates(workflow_spec(document.raw)):
        manifest = parse_manifest(document, template)
        if manifest is not None:
            yield manifest
