"""Find the images a snippet shows (markdown-it image tokens), check them, and re-point them."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from markdown_it.token import Token

from lab.notebooks.errors import ImageError
from lab.notebooks.source import resolve_in_repo


@dataclass(frozen=True)
class ImageSite:
    """Where an image's target is written: line index, column span, and the target."""

    line: int
    start: int
    end: int
    src: str


def is_local(src: str) -> bool:
    """Whether an image target is a file of the repository (not a URL, anchor or site path)."""
    return bool(src) and not urlsplit(src).scheme and not src.startswith(("/", "#"))


def find_images(tokens: list[Token], env: dict[str, Any], lines: list[str]) -> list[ImageSite]:
    """Every local image target and where it is written in `lines`.

    Raises:
        ValueError: with the line index, when a target cannot be found as written.
    """
    sites: dict[tuple[int, int], ImageSite] = {}
    references = [ref for ref in env.get("references", {}).values() if "map" in ref]
    for token in tokens:
        if token.type != "inline" or token.map is None or not token.children:
            continue
        for child in token.children:
            src = str(child.attrs.get("src", "")) if child.type == "image" else ""
            if not is_local(src):
                continue
            found = _locate(lines, token.map, src, ("](", "](<"))
            for ref in references:
                if ref["href"] == src:
                    found += _locate(lines, ref["map"], src, ("]:",))
            if not found:
                raise ValueError(token.map[0], f"cannot find image target {src!r} as written")
            sites.update(((site.line, site.start), site) for site in found)
    return sorted(sites.values(), key=lambda s: (s.line, s.start))


def _locate(
    lines: list[str], span: list[int], src: str, openers: tuple[str, ...]
) -> list[ImageSite]:
    """Occurrences of `src` right after one of `openers` (spaces allowed) in lines `span`."""
    found = []
    for index in range(*span):
        line, pos = lines[index], 0
        while (pos := line.find(src, pos)) >= 0:
            before = line[:pos].rstrip(" \t")
            wrapped = (
                before == "" and index > span[0] and lines[index - 1].rstrip().endswith(openers)
            )
            if before.endswith(openers) or wrapped:
                found.append(ImageSite(index, pos, pos + len(src), src))
            pos += len(src)
    return found


def check_image(src: str, root: Path, generated: frozenset[Path], where: object) -> None:
    """Fail unless `src` is a file under the root, or one this build generates."""
    path_part = urlsplit(src).path
    try:
        path = resolve_in_repo(root, path_part)
    except ValueError as exc:
        raise ImageError(where, f"image {exc}") from None
    if path not in generated and not path.is_file():
        raise ImageError(where, f"image {path_part!r} does not exist")


@dataclass(frozen=True)
class ImageSearch:
    """Single-file mode: where a relative image path is looked for, and where links start.

    pandoc 2.17 looks in each `--resource-path` entry in order (default: the working
    directory), then opens the path from the working directory; the repository root comes
    last, so that a build's own image paths still resolve from anywhere.
    """

    folders: tuple[Path, ...]
    out_dir: Path

    @classmethod
    def pandoc(
        cls, resource_path: Sequence[Path], cwd: Path, root: Path, out_dir: Path
    ) -> ImageSearch:
        """The search pandoc makes for `--resource-path` (`cwd` when none), then the root."""
        entries = [cwd / entry for entry in resource_path] or [cwd]
        folders = dict.fromkeys(folder.resolve() for folder in [*entries, cwd, root])
        return cls(tuple(folders), out_dir.resolve())

    def link(self, src: str, where: object) -> str:
        """`src` re-pointed at the file found, relative to the output's folder."""
        path_part = urlsplit(src).path
        for folder in self.folders:
            candidate = folder / path_part
            if candidate.is_file():
                relative = Path(os.path.relpath(candidate, self.out_dir)).as_posix()
                return relative + src[len(path_part) :]
        searched = ", ".join(str(folder) for folder in self.folders)
        raise ImageError(where, f"image {path_part!r} not found (looked in {searched})")


def rewrite(lines: list[str], sites: list[ImageSite], targets: dict[str, str]) -> list[str]:
    """`lines` with each image target replaced by `targets[target]`."""
    out = list(lines)
    for site in reversed(sites):
        if targets[site.src] != site.src:
            line = out[site.line]
            out[site.line] = line[: site.start] + targets[site.src] + line[site.end :]
    return out
