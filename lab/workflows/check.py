"""Check Argo workflow files offline: schema, unknown fields, references, embedded code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from lab.workflows.documents import Document, load_file, yaml_files
from lab.workflows.embedded import manifests
from lab.workflows.errors import Problem
from lab.workflows.refs import TemplateIndex, check_references
from lab.workflows.schema import check_schema
from lab.workflows.scripts import CodeChecker, check_scripts
from lab.workflows.variables import check_variables


def describe(paths: list[Path]) -> str:
    """How messages name the set of checked files: ``workflows/`` or a list of files."""
    shown = [f"{p}/" if p.is_dir() else str(p) for p in paths]
    return shown[0] if len(shown) == 1 else ", ".join(shown)


def check_document(
    document: Document, index: TemplateIndex, code: CodeChecker
) -> Iterator[Problem]:
    """Every problem of one document, then of the resources embedded in its manifests."""
    yield from check_schema(document)
    yield from check_references(document, index)
    yield from check_variables(document, index)
    yield from check_scripts(document, code)
    for manifest in manifests(document):
        yield from manifest.problems
        for embedded in manifest.documents:
            if manifest.action == "create" and not embedded.name:
                yield embedded.problem("", "metadata needs name or generateName to be created")
            if manifest.is_argo(embedded):
                yield from check_document(embedded, index, code)


def check_paths(paths: Iterable[Path], *, shellcheck: bool = True) -> list[Problem]:
    """All problems in the YAML files under ``paths`` (folders: their *.yaml, *.yml files).

    References between files (``workflowTemplateRef``, ``templateRef``) resolve among the
    files checked together. Raises WorkflowFileError when a path is missing or empty.
    """
    paths = list(paths)
    documents: list[Document] = []
    problems: list[Problem] = []
    for path in yaml_files(paths):
        loaded, load_problems = load_file(path)
        documents.extend(loaded)
        problems.extend(load_problems)
    index, index_problems = TemplateIndex.build(documents, describe(paths))
    problems.extend(index_problems)
    code = CodeChecker(use_shellcheck=shellcheck)
    for document in documents:
        problems.extend(check_document(document, index, code))
    return list(dict.fromkeys(problems))
