"""Find the pandoc `::: {.cell ...}` divs of a source, using markdown-it to skip code."""

from __future__ import annotations

from dataclasses import dataclass

from markdown_it.token import Token

from lab.notebooks.attributes import Attributes, parse_attributes
from lab.notebooks.errors import SnippetSyntaxError
from lab.notebooks.mdparse import parse
from lab.notebooks.source import Source

#: The cell classes pandoc's ipynb writer knows.
CELL_TYPES = ("markdown", "code", "raw")

# HTML blocks whose content pandoc keeps raw, so a `:::` inside them is not a div fence.
_RAW_HTML = ("<!--", "<pre", "<script", "<style", "<textarea")


@dataclass(frozen=True)
class Block:
    """A cell's body, or a run of text outside any cell (attrs None), as a line range."""

    kind: str
    attrs: Attributes | None
    start: int
    end: int
    opened: int | None = None


def parse_blocks(source: Source) -> list[Block]:
    """Split a source into cells and the text between them, in order."""
    tokens, _ = parse(source.lines, inline=False)
    skip = _code_lines(tokens, source)
    blocks: list[Block] = []
    stack: list[tuple[int, Attributes | None]] = []  # open divs: (line, attrs if a cell)
    text_start = 0
    for index, line in enumerate(source.lines):
        if index in skip or not line.startswith(":::"):
            continue
        attrs = _fence(line, source, index)
        if attrs is None:
            if not stack:
                raise SnippetSyntaxError(source.origin(index), "':::' closes no open div")
            opened, cell = stack.pop()
            if cell is not None:
                blocks.append(
                    Block(_cell_type(cell, source, opened), cell, opened + 1, index, opened)
                )
                text_start = index + 1
        elif "cell" in attrs.classes:
            if stack:
                raise _unclosed(source, stack[-1][0], index)
            _add_text(blocks, source, text_start, index)
            _cell_type(attrs, source, index)
            stack.append((index, attrs))
        else:
            stack.append((index, None))
    if stack:
        raise _unclosed(source, stack[-1][0], len(source.lines) - 1)
    _add_text(blocks, source, text_start, len(source.lines))
    return blocks


def _fence(line: str, source: Source, index: int) -> Attributes | None:
    """Read a `:::` line: None for a closing fence, else the opening fence's attributes."""
    rest = line.lstrip(":").strip()
    if not rest:
        return None
    rest = rest.rstrip(":").rstrip()
    if rest.startswith("{"):
        try:
            return parse_attributes(rest)
        except ValueError as exc:
            raise SnippetSyntaxError(source.origin(index), f"bad div attributes: {exc}") from None
    if " " in rest or "\t" in rest:
        raise SnippetSyntaxError(
            source.origin(index), f"'::: {rest}' must be '::: {{.cell .markdown}}' or '::: name'"
        )
    return Attributes(classes=(rest,))


def _cell_type(attrs: Attributes, source: Source, index: int) -> str:
    """The one cell class among .markdown, .code and .raw."""
    kinds = [c for c in attrs.classes if c in CELL_TYPES]
    if len(kinds) != 1:
        written = " ".join(f".{c}" for c in attrs.classes)
        raise SnippetSyntaxError(
            source.origin(index),
            f"unknown cell class in '{{{written}}}': a cell needs exactly one of "
            ".markdown, .code, .raw",
        )
    return kinds[0]


def _unclosed(source: Source, opened: int, at: int) -> SnippetSyntaxError:
    """The error for a div still open at line `at`."""
    start, here = source.origin(opened), source.origin(at)
    place = f"line {start.line}" if start.path == here.path else str(start)
    return SnippetSyntaxError(here, f"unclosed ':::' opened at {place}")


def _add_text(blocks: list[Block], source: Source, start: int, end: int) -> None:
    """Keep text outside cells, as pandoc does, when it is more than blank lines."""
    if any(line.strip() for line in source.lines[start:end]):
        blocks.append(Block("markdown", None, start, end))


def _code_lines(tokens: list[Token], source: Source) -> set[int]:
    """Lines inside code blocks and raw HTML blocks, where `:::` is text, not a fence."""
    skip: set[int] = set()
    total = len(source.lines)
    for token in tokens:
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "fence":
            if end == total and not _closes(source.lines[end - 1], token.markup, end - start):
                raise SnippetSyntaxError(
                    source.origin(start), f"code fence {token.markup} is never closed"
                )
        elif token.type == "html_block" and token.content.lstrip().startswith(_RAW_HTML):
            if token.content.lstrip().startswith("<!--") and "-->" not in token.content:
                raise SnippetSyntaxError(source.origin(start), "HTML comment is never closed")
        elif token.type != "code_block":
            continue
        skip.update(range(start, end))
    return skip


def _closes(line: str, markup: str, length: int) -> bool:
    """Whether `line` is a closing fence for an opening `markup` (and not the opening line)."""
    text = line.lstrip(" \t>").rstrip()
    return length > 1 and len(text) >= len(markup) and set(text) == {markup[0]}
