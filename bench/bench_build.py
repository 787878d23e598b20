"""Time building all notebooks with build_notebooks.py against pandoc on the same sources.

Usage: python bench/bench_build.py [--repeat N] [--root REPO]

Both run as fresh processes on a temporary copy of the repository, N times each, with
the notebooks and index.md removed. pandoc converts each notebook's snippet files
(`--wrap=none`) from the copy's root, where the images resolve. Ours builds everything
`python build_notebooks.py` builds: the notebooks, index.md and the pictures, which are
kept, as in a checkout, so an up-to-date picture is only confirmed (by its stamp), not
rendered again. Ours runs as Python does by default (PYTHONDONTWRITEBYTECODE cleared),
so a first, uncounted run leaves the bytecode and the compiled notebook validator in
__pycache__ for the timed ones.

Also timed: ours from nothing, pictures removed too, so graphviz renders them; and ours
inside this process, imports done and the parsed markdown and included files remembered
from the run before, to show the work apart from Python's start. Prints medians.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lab.notebooks.build import plan_outputs  # noqa: E402
from lab.notebooks.manifest import load_manifest  # noqa: E402
from lab.notebooks.pictures import default_workflow_pictures  # noqa: E402
from lab.notebooks.write import write_outputs  # noqa: E402

_SKIP = shutil.ignore_patterns(".git", ".venv", ".lab", "__pycache__", "*.egg-info", ".*cache")
TIMEOUT_S = 300


def timed(command: list[str], cwd: Path, env: dict[str, str] | None = None) -> float:
    """Seconds one command takes; fails loudly if it fails."""
    start = time.perf_counter()
    subprocess.run(command, cwd=cwd, env=env, check=True, capture_output=True, timeout=TIMEOUT_S)
    return time.perf_counter() - start


def main() -> int:
    """Run the benchmark and print the medians and their ratio."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--repeat", type=int, default=5, help="runs of each (default 5)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the repository to build")
    args = parser.parse_args()
    if shutil.which("pandoc") is None:
        sys.exit("pandoc is not installed: apt-get install -y pandoc")
    with tempfile.TemporaryDirectory(prefix="bench-build-") as tmp:
        root = Path(tmp) / "repo"
        shutil.copytree(args.root.resolve(), root, ignore=_SKIP, symlinks=True)
        shutil.copy2(ROOT / "build_notebooks.py", root / "build_notebooks.py")
        shutil.copytree(ROOT / "lab", root / "lab", ignore=_SKIP, dirs_exist_ok=True)
        draw = default_workflow_pictures(ROOT)  # this checkout's lab.workflows.draw, if any
        outputs = sorted(plan_outputs(root, workflow_pictures=draw))  # fails early on errors
        manifest = load_manifest(root)
        ours_cmd = [sys.executable, str(root / "build_notebooks.py")]
        ours_env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        pandoc_cmds = [
            ["pandoc", "--wrap=none", "-o", f"notebooks/{name}.ipynb", *map(str, files)]
            for name, files in manifest.notebooks.items()
        ]
        (root / "notebooks").mkdir(exist_ok=True)
        timed(ours_cmd, root, ours_env)  # not counted: leaves the bytecode in __pycache__
        ours, theirs, bare, warm = [], [], [], []
        for _ in range(args.repeat):
            for path in outputs:  # a clean build each time; pictures stay for pandoc's images
                if path.suffix != ".svg":
                    path.unlink(missing_ok=True)
            ours.append(timed(ours_cmd, root, ours_env))
            theirs.append(sum(timed(cmd, root) for cmd in pandoc_cmds))
            for path in outputs:
                path.unlink()
            bare.append(timed(ours_cmd, root, ours_env))
            for path in outputs:
                path.unlink()
            start = time.perf_counter()
            write_outputs(plan_outputs(root, workflow_pictures=draw))
            warm.append(time.perf_counter() - start)
    n = len(manifest.notebooks)
    pandoc = subprocess.run(["pandoc", "--version"], capture_output=True, text=True, check=True)
    version = pandoc.stdout.split()[1]
    mine, pandocs, empty, inner = (statistics.median(t) for t in (ours, theirs, bare, warm))
    print(f"{n} notebooks, {len(outputs)} outputs in all, {args.repeat} runs, pandoc {version}")
    print(f"ours, python build_notebooks.py (all outputs): {mine:.3f} s")
    print(f"pandoc, {n} runs (notebooks only):              {pandocs:.3f} s")
    print(f"ours from nothing (pictures rendered too):     {empty:.3f} s")
    print(f"ours in-process, imports and caches warm:      {inner:.3f} s")
    print(
        f"ratio ours/pandoc: {mine / pandocs:.2f} "
        f"(from nothing: {empty / pandocs:.2f}, in-process: {inner / pandocs:.2f})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
