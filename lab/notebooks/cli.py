"""Command line: build all notebooks and index.md, check them, or convert given snippets."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from lab.notebooks.errors import BuildError


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog="build_notebooks.py",
        description="Build notebooks/*.ipynb, index.md and the pictures from snippets/ "
        "(snippets/notebooks.yaml says which snippets make what), or convert the given "
        "snippet files into one notebook.",
    )
    parser.add_argument("sources", nargs="*", type=Path, help="snippet files, concatenated")
    parser.add_argument("-o", "--output", type=Path, help="the notebook to write from SOURCES")
    parser.add_argument("--check", action="store_true", help="write nothing; fail if stale")
    parser.add_argument("--root", type=Path, help="the repository root (default: this checkout)")
    args = parser.parse_args(argv)
    if bool(args.sources) != bool(args.output):
        parser.error("give snippet files and -o OUT.ipynb together, or neither")
    if args.output and args.output.suffix != ".ipynb":
        parser.error("-o must name a .ipynb file")
    return args


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    """Run the builder; exit status 0 done, 1 stale outputs (--check), 2 build error."""
    args = _arguments(argv)
    # Imported once the arguments are good, so `--help` and usage errors answer at once.
    from lab.notebooks.build import build_notebook, plan_outputs
    from lab.notebooks.content import Context
    from lab.notebooks.write import stale_outputs, write_outputs

    root = (args.root or root or Path.cwd()).resolve()
    try:
        if args.output:
            out = args.output.resolve()
            data = build_notebook(args.sources, out.stem, Context(root), out.parent)
            outputs = {out: data}
        else:
            outputs = plan_outputs(root)
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.check:
        stale = stale_outputs(outputs)
        for path, why in stale:
            print(f"{why}: {_shown(path, root)}", file=sys.stderr)
        if stale:
            print("run `python build_notebooks.py` to rebuild them", file=sys.stderr)
            return 1
        print(f"{len(outputs)} outputs up to date")
        return 0
    for path in write_outputs(outputs):
        print(f"wrote {_shown(path, root)}")
    return 0


def _shown(path: Path, root: Path) -> str:
    """A path relative to the root when it lies inside."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
