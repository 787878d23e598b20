"""Check Argo workflow files offline: schema, unknown fields, references, run-time values, code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path

from lab.argo.documents import Document, load_file, yaml_files
from lab.argo.findings import Problem
from lab.argo.manifests import manifests
from lab.argo.openapi import DEFAULT_VERSION
from lab.argo.schema import check_schema
from lab.workflows.index import TemplateIndex
from lab.workflows.refs import check_references
from lab.workflows.runtime import check_runtime
from lab.workflows.scripts import CodeChecker, check_scripts
from lab.workflows.variables import check_variables


def describe(paths: list[Path]) -> str:
    """How messages name the set of checked files: ``workflows/`` or a list of files."""
    shown = [f"{p}/" if p.is_dir() else str(p) for p in paths]
    return shown[0] if len(shown) == 1 else ", ".join(shown)


def check_document(
    document: Document, index: TemplateIndex, code: CodeChecker, version: str
) -> Iterator[Problem]:
    """Every problem of one document, then of the resources embedded in its manifests."""
    yield from check_schema(document, version)
    yield from check_references(document, index)
    yield from check_variables(document, index)
    yield from check_runtime(document)
    yield from check_scripts(document, code)
    for manifest in manifests(document):
        yield from manifest.problems
        for embedded in manifest.documents:
            if manifest.action == "create" and not embedded.name:
                yield embedded.problem("", "metadata needs name or generateName to be created")
            if manifest.is_argo(embedded):
                yield from check_document(embedded, index, code, version)


def check_paths(
    paths: Iterable[Path], *, shellcheck: bool = True, version: str = DEFAULT_VERSION
) -> list[Problem]:
    """All findings (errors and warnings) in the YAML files under ``paths``.

    Folders give their ``*.yaml`` and ``*.yml`` files. References between files
    (``workflowTemplateRef``, ``templateRef``) resolve among the files checked together.
    ``version`` picks the Argo schema (default: the course cluster's v3.6.5).

    Raises:
        ArgoFileError: a path is missing, or a folder holds no YAML files.
        UnknownArgoVersion: no schema of ``version`` is vendored.
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
        problems.extend(check_document(document, index, code, version))
    return list(dict.fromkeys(problems))
