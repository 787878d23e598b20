"""Tests for include blocks: whole files, Python parts, workflow templates, lines, and errors."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from lab.notebooks.attributes import parse_attributes
from lab.notebooks.errors import IncludeError
from lab.notebooks.include import Included, fence_lines, include_attributes, resolve_include


def include(repo: Path, info: str) -> Included:
    """Resolve an include info string against the fake repository."""
    attrs = include_attributes(info, "snippets/x.md:7")
    assert attrs is not None
    return resolve_include(attrs, repo, "snippets/x.md:7")


def test_python_function_with_its_decorators(repo: Path) -> None:
    got = include(repo, '{.python include="src/pkg/flow.py" part="train_model"}')
    assert got.language == "python"
    assert got.text.startswith(
        "@functools.cache\n@functools.wraps(load_data)\ndef train_model(data):"
    )
    assert got.text.endswith("    return sum(data)\n")


def test_python_method_is_dedented(repo: Path) -> None:
    got = include(repo, '{include="src/pkg/flow.py" part="Trainer.score"}')
    assert got.text == "def score(self):\n    return 2\n"


def test_yaml_template_is_verbatim_and_dedented(repo: Path) -> None:
    got = include(repo, '{include="workflows/wf.yaml" part="call-endpoint"}')
    assert got.language == "yaml"
    assert got.text == (
        "- name: call-endpoint\n  script:\n    image: alpine:3.18\n    command: [sh]\n"
        '    source: |\n      set -eu\n      echo "done"   # keep this comment\n'
    )


def test_whole_file_and_line_range(repo: Path) -> None:
    whole = include(repo, '{.text include="workflows/wf.yaml"}')
    assert whole.language == "text"
    assert whole.text == (repo / "workflows/wf.yaml").read_text()
    assert include(repo, '{include="src/pkg/flow.py" lines="6-7"}').text == (
        "def load_data():\n    return [1, 2, 3]\n"
    )


def test_fence_is_longer_than_any_backtick_run_in_the_text() -> None:
    lines = fence_lines(Included("a ``` b\n\nc\n", "python"), prefix="  ")
    assert lines == ["  ````python", "  a ``` b", "", "  c", "  ````"]


def test_non_include_fences_are_left_alone() -> None:
    assert include_attributes("{.python .numberLines}", "x") is None
    assert include_attributes("python", "x") is None


@pytest.mark.parametrize(
    ("info", "message"),
    [
        (
            '{include="src/pkg/nope.py"}',
            r"snippets/x\.md:7: include file 'src/pkg/nope\.py' does not exist",
        ),
        (
            '{include="src/pkg/flow.py" part="nope"}',
            r"snippets/x\.md:7: src/pkg/flow\.py: no function or class 'nope' at the top level "
            r"\(there: load_data, train_model, Trainer\)",
        ),
        (
            '{include="src/pkg/flow.py" part="Trainer.nope"}',
            r"no function or class 'nope' at class Trainer",
        ),
        (
            '{include="workflows/wf.yaml" part="nope"}',
            r"no spec\.templates item named 'nope' \(there: main, call-endpoint, last\)",
        ),
        (
            '{include="../outside.py"}',
            r"snippets/x\.md:7: include '\.\./outside\.py' leaves the repository",
        ),
        ('{include="/etc/passwd"}', r"must be a path relative to the repository root"),
        ('{include="src/pkg/flow.py" lines="40-50"}', r"lines='40-50' is outside 1-\d+"),
        ('{include="src/pkg/flow.py" part="f" lines="1-2"}', r"give part= or lines=, not both"),
        ('{include="src/pkg/flow.py" prt="f"}', r"unknown include attribute"),
        ('{include="src"}', r"include file 'src' does not exist"),
    ],
)
def test_bad_includes_name_the_snippet_line(repo: Path, info: str, message: str) -> None:
    with pytest.raises(IncludeError, match=message):
        include(repo, info)


def test_symlink_out_of_the_repository_is_refused(repo: Path, tmp_path: Path) -> None:
    outside = tmp_path / "secret.py"
    outside.write_text("x = 1\n")
    os.symlink(outside, repo / "src/link.py")
    with pytest.raises(IncludeError, match="leaves the repository"):
        include(repo, '{include="src/link.py"}')


def test_attributes_are_parsed_like_cells() -> None:
    assert parse_attributes('{.python include="a.py"}').get("include") == "a.py"
