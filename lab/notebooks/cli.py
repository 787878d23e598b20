"""Command line: build all notebooks and index.md, check them, or convert given snippets."""

from __future__ import annotations

import argparse
import os
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
    parser.add_argument(
        "--resource-path",
        metavar="SEARCHPATH",
        help="with -o: folders to look for images in, separated by ':', as pandoc's option "
        "(default: the working directory, which is also tried after them)",
    )
    args = parser.parse_args(argv)
    if bool(args.sources) != bool(args.output):
        parser.error("give snippet files and -o OUT.ipynb together, or neither")
    if args.resource_path is not None and not args.output:
        parser.error("--resource-path goes with snippet files and -o OUT.ipynb")
    if args.output and args.output.suffix != ".ipynb":
        parser.error("-o must name a .ipynb file")
    return args


def main(argv: Sequence[str] | None = None, root: Path | None = None) -> int:
    """Run the builder; exit status 0 done, 1 stale outputs (--check), 2 build error."""
    args = _arguments(argv)
    # Imported once the arguments are good, so `--help` and usage errors answer at once.
    from lab.notebooks.build import build_notebook, plan_outputs
    from lab.notebooks.content import Context
    from lab.notebooks.images import ImageSearch
    from lab.notebooks.write import stale_outputs, write_outputs

    root = (args.root or root or Path.cwd()).resolve()
    try:
        if args.output:
            out = args.output.resolve()
            search = args.resource_path.split(os.pathsep) if args.resource_path else []
            images = ImageSearch.pandoc([Path(e) for e in search], Path.cwd(), root, out.parent)
            data = build_notebook(args.sources, out.stem, Context(root, images=images), out.parent)
            outputs = {out: data}
        else:
            outputs = plan_outputs(root)
        if args.check:
            return _report_stale(stale_outputs(outputs), len(outputs), root)
        for path in write_outputs(outputs):
            print(f"wrote {_shown(path, root)}")
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    return 0


def _report_stale(stale: list[tuple[Path, str]], total: int, root: Path) -> int:
    """Print what --check found; 1 if anything is stale or missing, else 0."""
    for path, why in stale:
        print(f"{why}: {_shown(path, root)}", file=sys.stderr)
    if stale:
        print("run `python build_notebooks.py` to rebuild them", file=sys.stderr)
        return 1
    print(f"{total} outputs up to date")
    return 0


def _shown(path: Path, root: Path) -> str:
    """A path relative to the root when it lies inside."""
    return path.relative_to(root).as_posix() if path.is_relative_to(root) else str(path)
