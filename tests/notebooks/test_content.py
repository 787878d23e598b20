"""Tests for cell contents: code cells, raw cells, includes in cells, and their errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.notebooks.build import build_notebook
from lab.notebooks.content import Context
from lab.notebooks.errors import IncludeError, NotebookInvalidError, SnippetSyntaxError, SourceError
from lab.notebooks.source import read_sources


def cells_of(repo: Path, text: str) -> list[tuple[str, str, dict]]:
    """(type, source, metadata) of each cell of a snippet in the fake repository."""
    import json

    path = repo / "snippets/t.md"
    path.write_text(text, encoding="utf-8")
    nb = json.loads(build_notebook([path], "t", Context(repo.resolve()), repo / "notebooks"))
    return [(c["cell_type"], "".join(c["source"]), c["metadata"]) for c in nb["cells"]]


def test_a_code_cell_can_show_an_included_part(repo: Path) -> None:
    text = (
        '::: {.cell .code}\n```{.python include="src/pkg/flow.py" part="Trainer.fit"}\n```\n:::\n'
    )
    assert cells_of(repo, text) == [("code", "def fit(self):\n    return 1", {})]


def test_an_include_in_a_list_item_keeps_the_indentation(repo: Path) -> None:
    text = (
        "::: {.cell .markdown}\n1. Look:\n\n"
        '   ```{include="src/pkg/flow.py" lines="6-7"}\n   ```\n:::\n'
    )
    assert cells_of(repo, text)[0][1] == (
        "1. Look:\n\n   ```python\n   def load_data():\n       return [1, 2, 3]\n   ```"
    )


def test_execution_count_and_explicit_ids_like_pandoc(repo: Path) -> None:
    text = '::: {#first .cell .code execution_count="3" n=1}\n```\nx\n```\n:::\n'
    assert cells_of(repo, text) == [("code", "x", {"n": 1})]


@pytest.mark.parametrize(
    ("text", "error", "message"),
    [
        (
            '::: {.cell .markdown}\n```{include="src/pkg/flow.py"}\nx\n```\n:::\n',
            IncludeError,
            r"t\.md:2: an include block must be empty",
        ),
        (
            "::: {.cell .code}\n```\na\n```\n\n```\nb\n```\n:::\n",
            SnippetSyntaxError,
            r"t\.md:6: a code cell must hold exactly one code block \(opened at line 1\)",
        ),
        (
            "::: {.cell .code}\nprose\n:::\n",
            SnippetSyntaxError,
            r"t\.md:2: a code cell must hold exactly one code block",
        ),
        (
            "::: {.cell .raw}\n```\nx\n```\n:::\n",
            SnippetSyntaxError,
            r"t\.md:2: a raw cell holds one ```\{=format\} block",
        ),
        (
            '\n::: {.cell .code tags="parameters"}\n:::\n',
            NotebookInvalidError,
            r"t\.md:2: invalid cell metadata\.tags: 'parameters' is not of type 'array'",
        ),
        (
            "::: {#a .cell .code}\n:::\n::: {#a .cell .code}\n:::\n",
            SnippetSyntaxError,
            r"t\.md:3: cell id 'a' is already used at snippets/t\.md:1",
        ),
        (
            "::: {#bad!id .cell .code}\n:::\n",
            SnippetSyntaxError,
            r"t\.md:1: cell id 'bad!id' must be",
        ),
        (
            '::: {.cell .code execution_count="x"}\n:::\n',
            SnippetSyntaxError,
            r"t\.md:1: execution_count must be a whole number",
        ),
    ],
)
def test_bad_cells_name_file_and_line(repo: Path, text: str, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        cells_of(repo, text)


def test_not_utf8_names_the_line(repo: Path) -> None:
    path = repo / "snippets/t.md"
    path.write_bytes(b"ok\n\xff\n")
    with pytest.raises(SourceError, match=r"snippets/t\.md:2: not UTF-8 text"):
        read_sources([path], repo)
