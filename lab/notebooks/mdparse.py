"""The markdown-it parser the builder shares: plain CommonMark, link targets kept as written."""

from __future__ import annotations

from functools import cache, lru_cache
from typing import Any

from markdown_it import MarkdownIt
from markdown_it.token import Token


@cache
def parser(inline: bool = True) -> MarkdownIt:
    """A CommonMark parser whose link and image targets are not percent-encoded.

    With `inline` False it finds blocks only (fences, code, HTML), which is all the cell
    splitter needs, at about half the cost.
    """
    md = MarkdownIt("commonmark")
    # Images are re-pointed by finding their targets in the text, so keep them as written.
    md.normalizeLink = lambda url: url  # type: ignore[method-assign]
    if not inline:
        md.disable("inline")
    return md


def parse(lines: list[str], inline: bool = True) -> tuple[list[Token], dict[str, Any]]:
    """Block tokens (line maps index into `lines`) and the env with link references.

    The result is shared by every call with the same text (index.md reads the notebooks'
    snippets again), so callers must not change it.
    """
    return _parse("\n".join(lines) + "\n", inline)


@lru_cache(maxsize=512)
def _parse(text: str, inline: bool) -> tuple[list[Token], dict[str, Any]]:
    """`parse` for the text itself, remembered."""
    env: dict[str, Any] = {}
    return parser(inline).parse(text, env), env
