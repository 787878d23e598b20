"""Tests for frontmatter: jupyter: to notebook metadata, merging, and errors with file:line."""

from __future__ import annotations

import pytest

from lab.notebooks.errors import FrontmatterError
from lab.notebooks.frontmatter import notebook_metadata
from lab.notebooks.source import read_sources

BASH = (
    "---\njupyter:\n  kernelspec:\n    display_name: Bash\n    language: bash\n"
    "    name: bash\n---\n"
)


def metadata_of(*paths):
    """The notebook metadata the files' frontmatter gives."""
    source = read_sources(list(paths), paths[0].parent)
    return notebook_metadata(source.metadata, source.metadata_origins.get("jupyter"))


def test_jupyter_block_becomes_notebook_metadata(snippet) -> None:
    text = BASH.replace("---\n", "---\ntitle: ignored\n", 1).replace(
        "\n---\n", "\n  language_info: {name: bash}\n  nbformat: 4\n  nbformat_minor: 5\n---\n"
    )
    assert metadata_of(snippet(text)) == {
        "kernelspec": {"display_name": "Bash", "language": "bash", "name": "bash"},
        "language_info": {"name": "bash"},
    }


def test_later_files_frontmatter_wins_like_pandoc(snippet) -> None:
    python = snippet(BASH.replace("bash", "python3").replace("Bash", "Python 3"), "a.md")
    bash = snippet(BASH + "\nbody\n", "b.md")
    assert metadata_of(python, bash)["kernelspec"]["name"] == "bash"
    assert metadata_of(bash, python)["kernelspec"]["name"] == "python3"


def test_no_frontmatter_gives_empty_metadata(snippet) -> None:
    assert metadata_of(snippet("::: {.cell .markdown}\nA\n:::\n")) == {}


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("---\njupyter:\n  kernelspec: [\n---\n", r"snippet\.md:\d+: bad frontmatter"),
        ("---\njupyter: {}\n", r"snippet\.md:1: frontmatter opened with '---' is never closed"),
        ("---\n- a list\n---\n", r"snippet\.md:2: frontmatter must be a mapping"),
        ("---\n\njupyter: 3\n---\n", r"snippet\.md:3: 'jupyter:' must be a mapping"),
        (
            "---\njupyter:\n  kernelspec: {name: python3}\n---\n",
            r"kernelspec must be a mapping with name and display_name",
        ),
        ("---\njupyter:\n  nbformat: 3\n---\n", r"nbformat must be 4"),
        ("---\njupyter:\n  when: 2024-01-01\n---\n", r"values must be plain JSON"),
    ],
)
def test_bad_frontmatter_is_an_error_naming_file_and_line(snippet, text: str, message: str) -> None:
    with pytest.raises(FrontmatterError, match=message):
        metadata_of(snippet(text))
