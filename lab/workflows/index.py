"""The WorkflowTemplates of the files checked together, by name, and how names are suggested."""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from lab.argo.documents import Document
from lab.argo.findings import Problem
from lab.argo.model import Declared, get, names


def suggest(name: str, known: Iterable[str]) -> str:
    """`` (did you mean 'x'?)`` when a known name is close to ``name``."""
    close = difflib.get_close_matches(name, list(known), n=1, cutoff=0.6)
    return f" (did you mean '{close[0]}'?)" if close else ""


def listing(known: Iterable[str], what: str = "declared") -> str:
    """`` (declared: a, b)`` or `` (none declared)``."""
    known = sorted(known)
    return f" ({what}: {', '.join(known)})" if known else f" (none {what})"


@dataclass
class TemplateIndex:
    """The WorkflowTemplates and ClusterWorkflowTemplates of the checked files, by name."""

    where: str = "the checked files"
    namespaced: dict[str, Document] = field(default_factory=dict)
    cluster: dict[str, Document] = field(default_factory=dict)

    @classmethod
    def build(
        cls, documents: Iterable[Document], where: str
    ) -> tuple[TemplateIndex, list[Problem]]:
        """Index the documents; a name defined twice is a problem."""
        index, problems = cls(where), []
        for document in documents:
            table = {"WorkflowTemplate": index.namespaced, "ClusterWorkflowTemplate": index.cluster}
            target = table.get(document.kind or "")
            if target is None or not isinstance(document.name, str):
                continue
            if document.name in target:
                first = target[document.name].file
                problems.append(
                    document.problem("", f"{document.label} is also defined in {first}")
                )
                continue
            target[document.name] = document
        return index, problems

    def lookup(self, ref: dict) -> Document | None:
        """The WorkflowTemplate a ``workflowTemplateRef``/``templateRef`` names, if checked."""
        table = self.cluster if ref.get("clusterScope") else self.namespaced
        name = ref.get("name")
        return table.get(name) if isinstance(name, str) else None

    def kind(self, ref: dict) -> str:
        """``ClusterWorkflowTemplate`` or ``WorkflowTemplate``, as the ref asks."""
        return "ClusterWorkflowTemplate" if ref.get("clusterScope") else "WorkflowTemplate"


def argument_problems(passed: object, declared: Declared, what: str) -> Iterator[str]:
    """What is wrong with the arguments ``passed`` to something that declares ``declared``."""
    for kind, passed_names, wanted in (
        ("parameter", names(get(passed, "parameters")), declared.parameters),
        ("artifact", names(get(passed, "artifacts")), declared.artifacts),
    ):
        seen: set[str] = set()
        for name in passed_names:
            if name in seen:
                yield f"passes {kind} '{name}' twice"
            seen.add(name)
            if name not in wanted:
                hint = suggest(name, wanted) or listing(wanted)
                yield f"passes {kind} '{name}', which {what} does not declare{hint}"
        for name, optional in wanted.items():
            if not optional and name not in seen:
                yield f"does not pass {kind} '{name}', which {what} requires (it has no default)"
