"""The notebook builder's exceptions: one tree, every message starting with `file:line:`."""

from __future__ import annotations


class BuildError(Exception):
    """Raised when the sources cannot be built; the base of every builder error."""

    def __init__(self, where: object | None, message: str) -> None:
        self.where = None if where is None else str(where)
        self.message = message
        super().__init__(f"{self.where}: {message}" if self.where else message)


class SourceError(BuildError):
    """Raised when a source file is missing or is not UTF-8 text."""


class SnippetSyntaxError(BuildError):
    """Raised when a snippet's `:::` divs, cell classes, attributes or code fences are malformed."""


class FrontmatterError(BuildError):
    """Raised when a snippet's YAML frontmatter cannot be read or its `jupyter:` block is wrong."""


class IncludeError(BuildError):
    """Raised when an include names a missing file or part, or a path outside the repository."""


class ImageError(BuildError):
    """Raised when a snippet shows an image that does not exist or lies outside the repository."""


class ManifestError(BuildError):
    """Raised when snippets/notebooks.yaml is missing, malformed or names a missing snippet."""


class NotebookInvalidError(BuildError):
    """Raised when a built notebook fails `nbformat.validate`."""


class PictureError(BuildError):
    """Raised when a picture cannot be rendered (graphviz missing, bad DOT, bad output path)."""


class OutputError(BuildError):
    """Raised when an output cannot be written (or, with --check, read); nothing half-written."""
