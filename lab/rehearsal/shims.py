"""Package-manager shims: ``apk``, ``apt-get``, ``pip`` and ``python`` as a step sees them.

A script's install lines run unchanged; each shim checks that this machine already has what
the line asks for (a command for apk/apt-get, an exact pin for pip), adds it to the step's
image (:mod:`lab.rehearsal.podenv`) and says so on stderr, or fails with what to install.
``python``/``python3`` are this environment's interpreter, guarded so that a step imports
only the distributions its image has; ``python -m pip`` goes to the pip shim (also from
``sys.executable``, through a ``pip`` module first on PYTHONPATH), so nothing is ever
installed by a rehearsal.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import sys
from pathlib import Path

from lab.rehearsal.module_owners import module_owners

SCRIPTS = Path(__file__).resolve().parent / "shim_scripts"
PACKAGE_TOOLS = ("apk", "apt-get", "apt")
PIP_TOOLS = ("pip", "pip3")


def real_path() -> str:
    """The PATH the shims search for real commands: this process's PATH."""
    return os.environ.get("PATH", os.defpath)


def install_shims(
    shim_dir: Path, *, python: str | None = None, search_path: str | None = None
) -> Path:
    """Write the shims into ``shim_dir`` (created) and return it.

    Args:
        shim_dir: the folder the steps' PATH entries link into.
        python: the interpreter behind ``python`` and the shims (default: this one).
        search_path: where apk/apt-get look for real commands (default: this PATH).
    """
    python = python or sys.executable
    search_path = search_path if search_path is not None else real_path()
    shim_dir.mkdir(parents=True, exist_ok=True)
    py, q = shlex.quote(python), shlex.quote
    packages = q(str(SCRIPTS / "packages.py"))
    for tool in PACKAGE_TOOLS:
        body = f'exec {py} -I {packages} {q(tool)} {q(search_path)} {q(str(shim_dir))} "$@"'
        _write(shim_dir / tool, body)
    for tool in PIP_TOOLS:
        _write(shim_dir / tool, f'exec {py} -I {q(str(SCRIPTS / "pip.py"))} "$@"')
    pylib = python_path(shim_dir)
    package = pylib / "pip"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""The rehearsal\'s pip shim."""\n', encoding="utf-8")
    (package / "__main__.py").write_text(
        '"""``python -m pip`` in a rehearsal step: check pins, install nothing."""\n'
        "import os\nimport sys\n\n"
        f"os.execv(sys.executable, [sys.executable, '-I', {str(SCRIPTS / 'pip.py')!r}, "
        "*sys.argv[1:]])\n",
        encoding="utf-8",
    )
    shutil.copyfile(SCRIPTS / "python_guard.py", pylib / "sitecustomize.py")
    (pylib / "module-owners.json").write_text(json.dumps(module_owners()), encoding="utf-8")
    pip = q(str(shim_dir / "pip"))
    _write(
        shim_dir / "python",
        'if [ "$1" = "-m" ] && { [ "$2" = "pip" ] || [ "$2" = "pip3" ]; }; then\n'
        f'  shift 2\n  exec {pip} "$@"\nfi\nexec {py} "$@"',
    )
    return shim_dir


def python_path(shim_dir: Path) -> Path:
    """The folder first on a step's PYTHONPATH: the ``pip`` module shim and the import guard."""
    return shim_dir / "pylib"


def _write(path: Path, body: str) -> None:
    """An executable ``sh`` script, written atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"#!/bin/sh\n# rehearsal shim (lab.rehearsal.shims)\n{body}\n", encoding="utf-8")
    tmp.chmod(0o755)
    tmp.replace(path)
