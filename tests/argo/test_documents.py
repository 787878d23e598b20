"""Documents of a file: empty files are findings, templates are found by name and quoted."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.argo.documents import (
    Document,
    find_template,
    load_file,
    template_text,
    workflow_spec,
    yaml_files,
)
from lab.argo.findings import ArgoFileError, TemplateNotFoundError

REPO = Path(__file__).resolve().parents[2]
TRAIN = REPO / "workflows" / "train-model.yaml"


@pytest.mark.parametrize(
    ("text", "what"),
    [("", "is empty"), ("\n\n", "is empty"), ("# a\n# b\n", "holds only comments")],
)
def test_a_file_without_documents_is_a_finding(tmp_path: Path, text: str, what: str) -> None:
    path = tmp_path / "w.yaml"
    path.write_text(text)
    documents, problems = load_file(path)
    assert documents == []
    assert [str(p) for p in problems] == [
        f"{path}: no YAML document: the file {what}; nothing to check"
    ]


def test_invalid_yaml_is_a_finding_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "w.yaml"
    path.write_text("a: 1\nb: [\n")
    _, (problem,) = load_file(path)
    assert problem.message.startswith("not valid YAML:") and problem.line == 3


def test_folders_give_their_yaml_files_sorted(tmp_path: Path) -> None:
    for name in ("b.yml", "a.yaml", "c.txt"):
        (tmp_path / name).write_text("kind: X\n")
    assert [p.name for p in yaml_files([tmp_path])] == ["a.yaml", "b.yml"]
    with pytest.raises(ArgoFileError, match="no such file or folder"):
        yaml_files([tmp_path / "missing"])


def test_a_cron_workflow_s_spec_is_its_workflow_spec() -> None:
    raw = {"kind": "CronWorkflow", "spec": {"schedule": "* * * * *", "workflowSpec": {"a": 1}}}
    assert workflow_spec(raw) == {"a": 1}
    assert Document("f", raw).spec == {"a": 1}


def test_templates_are_found_and_quoted_as_written() -> None:
    assert find_template(TRAIN, "trigger-build")["resource"]["action"] == "create"
    text = template_text(TRAIN, "trigger-build")
    assert text.startswith("- name: trigger-build\n") and "workflowTemplateRef" in text
    with pytest.raises(TemplateNotFoundError, match="no template named 'nope'"):
        find_template(TRAIN, "nope")
