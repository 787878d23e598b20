"""Read snippet files into one list of lines that remembers each line's file and number."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from lab.notebooks.errors import SourceError
from lab.notebooks.frontmatter import split_frontmatter

#: The largest snippet or included file read (the lesson's biggest is about 30 KB).
MAX_TEXT_BYTES = 1_000_000


@dataclass(frozen=True)
class Origin:
    """A place in a source file, printed as `path:line`."""

    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line}"


@dataclass
class Source:
    """The bodies of one or more snippet files, concatenated, plus their merged frontmatter."""

    lines: list[str] = field(default_factory=list)
    origins: list[Origin] = field(default_factory=list)
    metadata: dict[str, Any] = field(default_factory=dict)
    metadata_origins: dict[str, Origin] = field(default_factory=dict)
    last: Origin = Origin("<no input>", 0)

    def origin(self, index: int) -> Origin:
        """Where line `index` came from; past the end, the last line of the last file."""
        return self.origins[index] if index < len(self.origins) else self.last


def shown_path(path: Path, root: Path) -> str:
    """`path` as errors print it: relative to the repository root when it lies inside."""
    try:
        return path.resolve().relative_to(root.resolve()).as_posix()
    except ValueError:
        return str(path)


def read_text(path: Path, shown: str, max_bytes: int = MAX_TEXT_BYTES) -> str:
    """A text file's content as UTF-8, with CRLF and CR line ends turned into LF.

    Its size is checked before it is read: a file larger than `max_bytes` is refused unread.
    """
    try:
        with path.open("rb") as handle:
            size = os.fstat(handle.fileno()).st_size
            if size > max_bytes:
                raise SourceError(shown, f"is {size:,} bytes; a source may have {max_bytes:,}")
            data = handle.read(max_bytes + 1)
    except FileNotFoundError:
        raise SourceError(shown, "no such file") from None
    except IsADirectoryError:
        raise SourceError(shown, "is a folder, not a file") from None
    except PermissionError:
        raise SourceError(shown, "cannot be read (permission denied)") from None
    if len(data) > max_bytes:  # it grew while we looked
        raise SourceError(shown, f"is more than {max_bytes:,} bytes; a source may have that many")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise SourceError(f"{shown}:{line}", "not UTF-8 text") from None
    return text.replace("\r\n", "\n").replace("\r", "\n")


def read_sources(paths: Sequence[Path], root: Path) -> Source:
    """Concatenate the files' bodies like pandoc does with several inputs.

    Files are joined with one blank line between them; frontmatter keys from a later file
    replace the same keys from an earlier one.
    """
    source = Source()
    for path in paths:
        shown = shown_path(path, root)
        lines = read_text(path, shown).split("\n")
        if lines and lines[-1] == "":
            lines.pop()
        data, key_lines, body_start = split_frontmatter(lines, shown)
        if data:
            source.metadata.update(data)
            for key in data:
                source.metadata_origins[key] = Origin(shown, key_lines.get(str(key), 2))
        if source.lines:
            source.lines.append("")
            source.origins.append(source.last)
        for number in range(body_start, len(lines)):
            source.lines.append(lines[number])
            source.origins.append(Origin(shown, number + 1))
        source.last = Origin(shown, max(len(lines), 1))
    return source


def resolve_in_repo(root: Path, relative: str) -> Path:
    """The file `relative` names under `root`; ValueError if it is absolute or leaves the root."""
    candidate = Path(relative)
    if not relative or candidate.is_absolute() or candidate.drive:
        raise ValueError(f"{relative!r} must be a path relative to the repository root")
    base = root.resolve()
    resolved = (base / candidate).resolve()
    if not resolved.is_relative_to(base):
        raise ValueError(f"{relative!r} leaves the repository")
    return resolved
