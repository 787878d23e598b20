"""Tests for images: found by markdown-it, checked, re-pointed for notebooks, kept for index.md."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.notebooks.cells import parse_blocks
from lab.notebooks.content import Context, block_text
from lab.notebooks.errors import ImageError
from lab.notebooks.source import read_sources


def text_of(repo: Path, body: str, prefix: str, generated: frozenset[Path] = frozenset()) -> str:
    """The rendered text of a one-cell snippet in the fake repository."""
    path = repo / "snippets/t.md"
    path.write_text("::: {.cell .markdown}\n" + body + "\n:::\n", encoding="utf-8")
    source = read_sources([path], repo)
    (block,) = parse_blocks(source)
    return block_text(source, block, Context(repo.resolve(), generated), prefix)


def test_images_are_repointed_for_notebooks_and_kept_for_the_page(repo: Path) -> None:
    body = '![A photo](images/photo.png) and ![again](<images/photo.png> "title")'
    assert text_of(repo, body, "../") == (
        '![A photo](../images/photo.png) and ![again](<../images/photo.png> "title")'
    )
    assert text_of(repo, body, "") == body


def test_reference_images_and_urls(repo: Path) -> None:
    body = "![ref][p] ![web](https://example.com/images/photo.png)\n\n[p]: images/photo.png"
    assert text_of(repo, body, "../") == (
        "![ref][p] ![web](https://example.com/images/photo.png)\n\n[p]: ../images/photo.png"
    )


def test_image_paths_in_code_and_prose_are_not_touched(repo: Path) -> None:
    body = (
        "Prose: images/photo.png.\n\n```\n![x](images/photo.png)\n```\n\n`![y](images/photo.png)`"
    )
    assert text_of(repo, body, "../") == body


def test_generated_images_count_as_present(repo: Path) -> None:
    svg = (repo / "images/diagram.svg").resolve()
    assert text_of(repo, "![d](images/diagram.svg)", "../", frozenset({svg})) == (
        "![d](../images/diagram.svg)"
    )


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (
            "Text\n\n![Missing](images/nope.svg)",
            r"snippets/t\.md:4: image 'images/nope\.svg' does not exist",
        ),
        (
            "![out](../outside.png)",
            r"snippets/t\.md:2: image '\.\./outside\.png' leaves the repository",
        ),
    ],
)
def test_bad_images_are_errors_with_file_and_line(repo: Path, body: str, message: str) -> None:
    with pytest.raises(ImageError, match=message):
        text_of(repo, body, "../")
