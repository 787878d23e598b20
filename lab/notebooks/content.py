"""Turn one parsed block into its final text: includes expanded, images checked and re-pointed."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from markdown_it.token import Token

from lab.notebooks.attributes import Attributes
from lab.notebooks.cells import Block
from lab.notebooks.errors import IncludeError, SnippetSyntaxError
from lab.notebooks.images import ImageSearch, check_image, find_images, rewrite
from lab.notebooks.include import Included, fence_lines, include_attributes, resolve_include
from lab.notebooks.mdparse import parse
from lab.notebooks.source import Source
from lab.notebooks.tracked import IncludePolicy, NotIncludableError, include_policy

# pandoc's names for raw cell formats, as notebook `raw_mimetype`s.
_RAW_MIMETYPES = {
    "html": "text/html",
    "revealjs": "text/html",
    "latex": "text/latex",
    "markdown": "text/markdown",
    "rst": "text/restructuredtext",
    "asciidoc": "text/asciidoc",
}


@dataclass(frozen=True)
class Context:
    """What rendering needs: the repository root and the files this build generates.

    `images` is set in single-file mode: relative image paths are then looked up as pandoc
    does, and re-pointed from the output's folder. `included` keeps what each include
    showed, so index.md, which shows the notebooks' includes again, reads them once per
    build; `policies` keeps the root's tracked files, asked of git once per build.
    """

    root: Path
    generated: frozenset[Path] = frozenset()
    images: ImageSearch | None = None
    included: dict[Attributes, Included] = field(default_factory=dict, compare=False, repr=False)
    policies: dict[Path, IncludePolicy] = field(default_factory=dict, compare=False, repr=False)

    def include_policy(self) -> IncludePolicy:
        """Which files includes may show (tracked.py), found once."""
        if self.root not in self.policies:
            self.policies[self.root] = include_policy(self.root)
        return self.policies[self.root]


def block_text(source: Source, block: Block, ctx: Context, image_prefix: str) -> str:
    """A block's markdown as written, with includes expanded and images prefixed."""
    start, end = _trim(source.lines, block.start, block.end)
    lines = source.lines[start:end]
    if not lines:
        return ""
    # Parsing finds images, each written `![`, and include blocks, each naming `include`.
    images = any("![" in line for line in lines)
    if not images and not any("include" in line for line in lines):
        return "\n".join(lines)
    tokens, env = parse(lines, inline=images)  # inline parsing only to find images
    try:
        sites = find_images(tokens, env, lines)
    except ValueError as exc:
        raise SnippetSyntaxError(source.origin(start + exc.args[0]), exc.args[1]) from None
    if ctx.images is None:
        for site in sites:
            check_image(site.src, ctx.root, ctx.generated, source.origin(start + site.line))
        lines = rewrite(lines, sites, {site.src: image_prefix + site.src for site in sites})
    else:
        found = {
            site.src: ctx.images.link(site.src, source.origin(start + site.line)) for site in sites
        }
        lines = rewrite(lines, sites, found)
    for token in reversed(tokens):
        if token.type == "fence" and token.map is not None:
            where = source.origin(start + token.map[0])
            attrs = include_attributes(token.info, where)
            if attrs is None:
                continue
            _require_empty(token, where)
            first = lines[token.map[0]]
            prefix = first[: first.index(token.markup)]
            included = _include(attrs, ctx, where)
            lines[token.map[0] : token.map[1]] = fence_lines(included, prefix)
    return "\n".join(lines)


def code_source(source: Source, block: Block, ctx: Context) -> str:
    """The code of a code cell: the body of its one code block (or of the file it includes)."""
    token = _only_code_block(source, block, "code")
    if token is None:
        return ""
    where = source.origin(block.start + token.map[0])  # type: ignore[index]
    attrs = include_attributes(token.info, where) if token.type == "fence" else None
    if attrs is not None:
        _require_empty(token, where)
        return _include(attrs, ctx, where).text[:-1]
    return token.content[:-1] if token.content.endswith("\n") else token.content


def raw_source(source: Source, block: Block) -> tuple[str, dict[str, str]]:
    """A raw cell's text and metadata, from its one ```{=format} block."""
    token = _only_code_block(source, block, "raw")
    if token is None:
        return "", {}
    info = token.info.strip()
    if token.type != "fence" or not info.startswith("{="):
        where = source.origin(block.start + token.map[0])  # type: ignore[index]
        raise SnippetSyntaxError(where, "a raw cell holds one ```{=format} block, e.g. {=html}")
    fmt = info[2:-1].strip()
    text = token.content[:-1] if token.content.endswith("\n") else token.content
    return text, {"raw_mimetype": _RAW_MIMETYPES.get(fmt, fmt)}


def cell_attributes(block: Block) -> Attributes:
    """A block's attributes; text outside cells has none."""
    return block.attrs if block.attrs is not None else Attributes()


def _only_code_block(source: Source, block: Block, kind: str) -> Token | None:
    """The single code block a code or raw cell holds (None when the cell is empty)."""
    lines = source.lines[block.start : block.end]
    tokens, _ = parse(lines, inline=False)
    blocks = [t for t in tokens if t.level == 0 and t.nesting >= 0]
    if not blocks:
        return None
    first = blocks[0]
    if len(blocks) > 1 or first.type not in ("fence", "code_block"):
        extra = first if first.type not in ("fence", "code_block") else blocks[1]
        line = extra.map[0] if extra.map else 0
        raise SnippetSyntaxError(
            source.origin(block.start + line),
            f"a {kind} cell must hold exactly one code block (opened at line "
            f"{source.origin(block.opened or 0).line}); put text in a markdown cell",
        )
    return first


def _include(attrs: Attributes, ctx: Context, where: object) -> Included:
    """What an include block shows, read once per build."""
    if attrs not in ctx.included:
        try:
            policy = ctx.include_policy()
        except NotIncludableError as exc:
            raise IncludeError(where, f"include: {exc}") from None
        ctx.included[attrs] = resolve_include(attrs, ctx.root, where, policy)
    return ctx.included[attrs]


def _require_empty(token: Token, where: object) -> None:
    """An include block's body must be empty: the file supplies it."""
    if token.content.strip():
        raise IncludeError(where, "an include block must be empty (the file supplies it)")


def _trim(lines: list[str], start: int, end: int) -> tuple[int, int]:
    """The range without its leading and trailing blank lines."""
    while start < end and not lines[start].strip():
        start += 1
    while end > start and not lines[end - 1].strip():
        end -= 1
    return start, end
