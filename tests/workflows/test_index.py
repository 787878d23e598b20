"""The index of WorkflowTemplates checked together, and how names are suggested."""

from __future__ import annotations

from lab.argo.documents import Document
from lab.argo.model import Declared
from lab.workflows.index import TemplateIndex, argument_problems, listing, suggest


def template(name: str, kind: str = "WorkflowTemplate", file: str = "a.yaml") -> Document:
    return Document(file, {"kind": kind, "metadata": {"name": name}, "spec": {}})


def test_a_name_defined_twice_is_a_problem_and_lookups_follow_scope() -> None:
    docs = [template("t"), template("t", file="b.yaml"), template("c", "ClusterWorkflowTemplate")]
    index, problems = TemplateIndex.build(docs, "workflows/")
    assert [str(p) for p in problems] == ["b.yaml: WorkflowTemplate 't' is also defined in a.yaml"]
    assert index.lookup({"name": "t"}).file == "a.yaml"
    assert index.lookup({"name": "c", "clusterScope": True}) is not None
    assert index.lookup({"name": "c"}) is None


def test_suggestions_and_listings() -> None:
    assert suggest("endpoint_ip", ["endpoint-ip", "port"]) == " (did you mean 'endpoint-ip'?)"
    assert suggest("zzz", ["endpoint-ip"]) == ""
    assert listing(["b", "a"]) == " (declared: a, b)" and listing([]) == " (none declared)"


def test_argument_problems() -> None:
    declared = Declared({"need": False, "maybe": True}, {})
    passed = {"parameters": [{"name": "maybe"}, {"name": "maybe"}, {"name": "typo"}]}
    assert list(argument_problems(passed, declared, "template 'x'")) == [
        "passes parameter 'maybe' twice",
        "passes parameter 'typo', which template 'x' does not declare (declared: maybe, need)",
        "does not pass parameter 'need', which template 'x' requires (it has no default)",
    ]
