"""Tests for finding ::: cells: code fences, nesting, CRLF, unicode and errors with file:line."""

from __future__ import annotations

import pytest

from lab.notebooks.cells import parse_blocks
from lab.notebooks.errors import SnippetSyntaxError
from lab.notebooks.source import read_sources


def blocks_of(path):
    """(kind, is cell, body text) for each block of a snippet file."""
    source = read_sources([path], path.parent)
    return [
        (b.kind, b.attrs is not None, "\n".join(source.lines[b.start : b.end]).strip("\n"))
        for b in parse_blocks(source)
    ]


def test_colons_inside_fenced_code_do_not_close_the_cell(snippet) -> None:
    text = "::: {.cell .code}\n```python\ns = '''\n:::\n'''\n```\n:::\n"
    assert blocks_of(snippet(text)) == [("code", True, "```python\ns = '''\n:::\n'''\n```")]


def test_fence_inside_markdown_cell_and_tilde_fences(snippet) -> None:
    text = "::: {.cell .markdown}\nSee:\n\n~~~\n::: not a fence\n```\n~~~\n:::\n"
    assert blocks_of(snippet(text)) == [
        ("markdown", True, "See:\n\n~~~\n::: not a fence\n```\n~~~")
    ]


def test_nested_divs_stay_in_the_cell(snippet) -> None:
    text = ":::: {.cell .markdown}\nA\n\n::: note\nB\n:::\n\nC\n::::\n"
    assert blocks_of(snippet(text)) == [("markdown", True, "A\n\n::: note\nB\n:::\n\nC")]


def test_text_outside_cells_is_kept_in_order(snippet) -> None:
    text = (
        "Before.\n\n::: {.cell .code}\n```\nx\n```\n:::\n\n"
        "Between.\n\n::: {.cell .markdown}\nM\n:::\n\n\n"
    )
    assert blocks_of(snippet(text)) == [
        ("markdown", False, "Before."),
        ("code", True, "```\nx\n```"),
        ("markdown", False, "Between."),
        ("markdown", True, "M"),
    ]


def test_empty_cells(snippet) -> None:
    text = "::: {.cell .code}\n:::\n::: {.cell .markdown}\n\n:::\n"
    assert blocks_of(snippet(text)) == [("code", True, ""), ("markdown", True, "")]


def test_crlf_and_unicode(snippet) -> None:
    text = (
        "::: {.cell .markdown}\r\nCafé ☕ — 東京\r\n:::\r\n"
        "::: {.cell .code}\r\n```\r\nx = 'é'\r\n```\r\n:::\r\n"
    )
    assert blocks_of(snippet(text.encode("utf-8"))) == [
        ("markdown", True, "Café ☕ — 東京"),
        ("code", True, "```\nx = 'é'\n```"),
    ]


def test_indented_colons_are_text_like_pandoc(snippet) -> None:
    text = "   ::: {.cell .code}\ntext\n   :::\n"
    assert blocks_of(snippet(text)) == [("markdown", False, "   ::: {.cell .code}\ntext\n   :::")]


def test_colons_in_an_html_comment_are_text(snippet) -> None:
    text = "<!--\n::: {.cell .code}\n:::\n-->\n"
    assert blocks_of(snippet(text))[0][1] is False


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "::: {.cell .markdown}\nA\n\n\n::: {.cell .code}\n:::\n",
            r"snippet.md:5: unclosed ':::' opened at line 1",
        ),
        ("x\n\n::: {.cell .markdown}\nA\n", r"snippet.md:4: unclosed ':::' opened at line 3"),
        (
            "::: {.cell .markdwn}\n:::\n",
            r"snippet.md:1: unknown cell class in '\{.cell .markdwn\}'",
        ),
        ("::: {.cell .code .markdown}\n:::\n", r"snippet.md:1: unknown cell class"),
        ("text\n:::\n", r"snippet.md:2: ':::' closes no open div"),
        ('::: {.cell tags="x}\n:::\n', r"snippet.md:1: bad div attributes"),
        ("::: {.cell .code}\n```\nx\n:::\n", r"snippet.md:2: code fence ``` is never closed"),
        ("::: {.cell .code}\n<!-- x\n:::\n", r"snippet.md:2: HTML comment is never closed"),
        ("::: two words\n:::\n", r"snippet.md:1: '::: two words' must be"),
    ],
)
def test_errors_name_file_and_line(snippet, text: str, message: str) -> None:
    with pytest.raises(SnippetSyntaxError, match=message):
        blocks_of(snippet(text))


def test_lines_are_numbered_per_file_when_files_are_concatenated(snippet) -> None:
    first = snippet("---\njupyter: {}\n---\n::: {.cell .markdown}\nA\n:::\n", "a.md")
    second = snippet("B\n\n::: {.cell .code}\n```\n", "b.md")
    source = read_sources([first, second], first.parent)
    with pytest.raises(SnippetSyntaxError, match=r"^b\.md:4: code fence"):
        parse_blocks(source)
