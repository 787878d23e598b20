"""Render the course pictures with graphviz: images/*.dot and the workflow pictures."""

from __future__ import annotations

import importlib
import subprocess
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from lab.notebooks.errors import PictureError
from lab.notebooks.source import read_text

#: How long one `dot` run may take.
DOT_TIMEOUT_S = 60.0
_INSTALL = "install graphviz: apt-get install -y graphviz"

#: `workflow_pictures(repo_root)`: output SVG path (under images/) -> DOT source.
WorkflowPictures = Callable[[Path], dict[Path, str]]


def render_dot(dot: str, shown: str) -> bytes:
    """SVG bytes for DOT source `dot`; errors name `shown`, where the source came from."""
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
    """Every picture the build makes: output path -> SVG bytes, rendered in parallel."""
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
    if not jobs:
        return {}
    with ThreadPoolExecutor(max_workers=min(4, len(jobs))) as pool:
        futures = {path: pool.submit(render_dot, dot, shown) for path, (dot, shown) in jobs.items()}
        return {path: future.result() for path, future in futures.items()}
