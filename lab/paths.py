"""Where the lab's files are: the repository root and the local state folder."""

from __future__ import annotations

import os
from pathlib import Path


def repo_root() -> Path:
    """The repository root: the folder above this package that holds pyproject.toml."""
    here = Path(__file__).resolve().parent.parent
    if not (here / "pyproject.toml").is_file():
        raise FileNotFoundError(
            f"{here} is not the lab's repository (no pyproject.toml): "
            "install the lab with `pip install -e .` from a checkout"
        )
    return here


def state_dir() -> Path:
    """The folder for local services' logs, PIDs, stores and executed notebooks (git-ignored).

    ``LAB_STATE_DIR`` moves it, e.g. to keep a test's services apart from the lab's.
    """
    return Path(os.environ.get("LAB_STATE_DIR") or repo_root() / ".lab")
