"""Package-manager shims: ``apk``, ``apt-get``, ``pip`` and ``python`` first on a step's PATH.

A script's install lines run unchanged; each shim checks that this machine already has what
the line asks for (a command for apk/apt-get, an exact pin for pip) and says so on stderr, or
fails with what to install. ``python``/``python3`` are this environment's interpreter, and
``python -m pip`` goes to the pip shim (also from ``sys.executable``, through a ``pip`` module
first on PYTHONPATH), so nothing is ever installed by a rehearsal.
"""

from __future__ import annotations

import os
import shlex
import sys
from pathlib import Path

SCRIPTS = Path(__file__).resolve().parent / "shim_scripts"
PACKAGE_TOOLS = ("apk", "apt-get", "apt")
PIP_TOOLS = ("pip", "pip3")
PYTHON_NAMES = ("python", "python3")


def real_path() -> str:
    """The PATH the shims search for real commands: this process's PATH."""
    return os.environ.get("PATH", os.defpath)


def install_shims(
    bin_dir: Path, *, python: str | None = None, search_path: str | None = None
) -> Path:
    """Write the shims into ``bin_dir`` (created) and return it.

    Args:
        bin_dir: the folder to put first on each step's PATH.
        python: the interpreter behind ``python`` and the shims (default: this one).
        search_path: where apk/apt-get look for real commands (default: this PATH).
    """
    python = python or sys.executable
    search_path = search_path if search_path is not None else real_path()
    bin_dir.mkdir(parents=True, exist_ok=True)
    py, q = shlex.quote(python), shlex.quote
    for tool in PACKAGE_TOOLS:
        script = q(str(SCRIPTS / "packages.py"))
        _write(bin_dir / tool, f'exec {py} -I {script} {q(tool)} {q(search_path)} "$@"')
    for tool in PIP_TOOLS:
        _write(bin_dir / tool, f'exec {py} -I {q(str(SCRIPTS / "pip.py"))} "$@"')
    # ``python -m pip`` from any interpreter (e.g. ``sys.executable -m pip``) finds this first.
    package = python_path(bin_dir) / "pip"
    package.mkdir(parents=True, exist_ok=True)
    (package / "__init__.py").write_text('"""The rehearsal\'s pip shim."""\n', encoding="utf-8")
    (package / "__main__.py").write_text(
        '"""``python -m pip`` in a rehearsal step: check pins, install nothing."""\n'
        "import runpy\n\n"
        f"runpy.run_path({str(SCRIPTS / 'pip.py')!r}, run_name='__main__')\n",
        encoding="utf-8",
    )
    pip = q(str(bin_dir / "pip"))
    for name in PYTHON_NAMES:
        _write(
            bin_dir / name,
            'if [ "$1" = "-m" ] && { [ "$2" = "pip" ] || [ "$2" = "pip3" ]; }; then\n'
            f'  shift 2\n  exec {pip} "$@"\nfi\nexec {py} "$@"',
        )
    return bin_dir


def python_path(bin_dir: Path) -> Path:
    """The folder to put first on a step's PYTHONPATH (it holds the ``pip`` module shim)."""
    return bin_dir / "pylib"


def step_path(bin_dir: Path, *, python: str | None = None, search_path: str | None = None) -> str:
    """A step's PATH: the shims, then the environment's scripts folder, then the real PATH."""
    scripts = str(Path(python or sys.executable).parent)
    search_path = search_path if search_path is not None else real_path()
    return os.pathsep.join([str(bin_dir), scripts, search_path])


def _write(path: Path, body: str) -> None:
    """An executable ``sh`` script, written atomically."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(f"#!/bin/sh\n# rehearsal shim (lab.rehearsal.shims)\n{body}\n", encoding="utf-8")
    tmp.chmod(0o755)
    tmp.replace(path)
