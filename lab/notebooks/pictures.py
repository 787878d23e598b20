"""Render the course pictures with graphviz: images/*.dot and the workflow pictures.

Each SVG carries a stamp, a comment after its XML declaration with the sha256 of its DOT
source and of the SVG `dot` wrote. A picture whose stamp matches its current source and
its own content is up to date without running `dot`, so checking needs no graphviz (nor
the same graphviz version) unless a source changed, and a hand edit is still seen.
"""

from __future__ import annotations

import hashlib
import importlib
import re
from collections.abc import Callable
from pathlib import Path

from lab.notebooks.errors import PictureError
from lab.notebooks.source import read_text

#: How long one `dot` run may take.
DOT_TIMEOUT_S = 60.0
_INSTALL = "install graphviz: apt-get install -y graphviz"

#: `workflow_pictures(repo_root)`: output SVG path (under images/) -> DOT source.
WorkflowPictures = Callable[[Path], dict[Path, str]]

_STAMP = b"<!-- dot-source-sha256: %s svg-sha256: %s -->\n"
_STAMP_RE = re.compile(rb"<!-- dot-source-sha256: ([0-9a-f]{64}) svg-sha256: ([0-9a-f]{64}) -->\n")


def render_dot(dot: str, shown: str) -> bytes:
    """SVG bytes for DOT source `dot`; errors name `shown`, where the source came from."""
    import subprocess  # here: a build whose pictures are all up to date runs no process

    try:
        done = subprocess.run(
            ["dot", "-Tsvg"], input=dot.encode(), capture_output=True, timeout=DOT_TIMEOUT_S
        )
    except FileNotFoundError:
        raise PictureError(shown, f"graphviz's `dot` is not installed: {_INSTALL}") from None
    except subprocess.TimeoutExpired:
        raise PictureError(shown, f"`dot -Tsvg` took longer than {DOT_TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        message = done.stderr.decode(errors="replace").strip() or f"exit {done.returncode}"
        raise PictureError(shown, f"`dot -Tsvg` failed: {message}")
    return done.stdout


def stamp(svg: bytes, dot: str) -> bytes:
    """`svg` (rendered from `dot`) with its stamp on the line after the XML declaration."""
    at = _stamp_offset(svg)
    line = _STAMP % (_sha256(dot.encode()).encode(), _sha256(svg).encode())
    return svg[:at] + line + svg[at:]


def is_current_picture(svg: bytes, dot: str) -> bool:
    """Whether `svg` is stamped as rendered from `dot` and is unchanged since."""
    at = _stamp_offset(svg)
    match = _STAMP_RE.match(svg, at)
    if match is None:
        return False
    rendered = svg[:at] + svg[match.end() :]
    return match[1].decode() == _sha256(dot.encode()) and match[2].decode() == _sha256(rendered)


def default_workflow_pictures(root: Path) -> WorkflowPictures | None:
    """`lab.workflows.draw.workflow_pictures` when that module exists in the repo being built."""
    import lab

    if Path(lab.__file__).resolve().parent.parent != root.resolve():
        return None  # another tree: its code is not the code imported here
    try:
        module = importlib.import_module("lab.workflows.draw")
    except ModuleNotFoundError as exc:
        if exc.name in ("lab.workflows", "lab.workflows.draw"):
            return None
        raise
    return module.workflow_pictures


def render_pictures(root: Path, workflow_pictures: WorkflowPictures | None) -> dict[Path, bytes]:
    """Every picture the build makes: output path -> stamped SVG bytes.

    An up-to-date picture (see `is_current_picture`) is kept as it is; the others are
    rendered, in parallel.
    """
    images = root / "images"
    jobs: dict[Path, tuple[str, str]] = {}
    for dot_file in sorted(images.glob("*.dot")) if images.is_dir() else []:
        shown = f"images/{dot_file.name}"
        jobs[dot_file.with_suffix(".svg")] = (read_text(dot_file, shown), shown)
    if workflow_pictures is not None:
        for out, dot in sorted(workflow_pictures(root).items()):
            path = out if Path(out).is_absolute() else root / out
            shown = f"lab.workflows.draw: {out}"
            if path.parent.resolve() != images.resolve() or path.suffix != ".svg":
                raise PictureError(shown, "workflow pictures must be images/NAME.svg")
            if path in jobs:
                raise PictureError(shown, f"also made from {jobs[path][1]}")
            jobs[path] = (dot, shown)
    pictures: dict[Path, bytes] = {}
    todo: dict[Path, tuple[str, str]] = {}
    for path, (dot, shown) in jobs.items():
        current = _current(path, dot)
        if current is None:
            todo[path] = (dot, shown)
        else:
            pictures[path] = current
    if todo:
        from concurrent.futures import ThreadPoolExecutor

        with ThreadPoolExecutor(max_workers=min(4, len(todo))) as pool:
            futures = {
                path: pool.submit(render_dot, dot, shown) for path, (dot, shown) in todo.items()
            }
            for path, future in futures.items():
                pictures[path] = stamp(future.result(), todo[path][0])
    return {path: pictures[path] for path in jobs}


def _current(path: Path, dot: str) -> bytes | None:
    """The bytes of the picture at `path` if it is up to date for `dot`, else None."""
    try:
        svg = path.read_bytes()
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return None
    return svg if is_current_picture(svg, dot) else None


def _stamp_offset(svg: bytes) -> int:
    """Where the stamp goes: after the XML declaration's line, else at the very start."""
    if svg.startswith(b"<?xml") and b"\n" in svg:
        return svg.index(b"\n") + 1
    return 0


def _sha256(data: bytes) -> str:
    """The hex sha256 of `data`."""
    return hashlib.sha256(data).hexdigest()
