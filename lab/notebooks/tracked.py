"""Which files an include may show: the files git tracks, so never `.git/` or `.venv/`.

In a git work tree an include must name a tracked file: CI builds from a clean clone, where
nothing else exists, so an untracked file would build here and fail there. Outside a work
tree (a folder of snippets that is no repository) any file under the root may be shown
except those inside a hidden folder or named like one (`.git/`, `.venv/`, `.env`).
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: How long `git ls-files` may take.
GIT_TIMEOUT_S = 30.0


class NotIncludableError(ValueError):
    """Raised when an include names a file that is not tracked, or hidden, or git fails."""


@dataclass(frozen=True)
class IncludePolicy:
    """The root's tracked files (paths relative to it), or None when it is not in git."""

    root: Path
    tracked: frozenset[str] | None

    def check(self, path: Path) -> None:
        """Raise NotIncludableError unless `path` (resolved, under the root) may be shown."""
        relative = path.relative_to(self.root).as_posix()
        if self.tracked is None:
            hidden = next((part for part in Path(relative).parts if part.startswith(".")), None)
            if hidden is not None:
                raise NotIncludableError(
                    f"{relative!r} is inside {hidden!r}: includes show source files, never "
                    "hidden files or folders"
                )
        elif relative not in self.tracked:
            raise NotIncludableError(
                f"{relative!r} is not tracked by git: `git add {relative}` (CI builds from a "
                "clean clone, where only tracked files exist)"
            )


def include_policy(root: Path) -> IncludePolicy:
    """The policy for `root` (resolved): git's tracked files there, if it is in a work tree."""
    root = root.resolve()
    try:
        done = subprocess.run(  # paths relative to the root, only files under it
            ["git", "-C", str(root), "ls-files", "-z", "--cached"],
            capture_output=True,
            timeout=GIT_TIMEOUT_S,
            check=False,
        )
    except FileNotFoundError:
        if not any((folder / ".git").exists() for folder in (root, *root.parents)):
            return IncludePolicy(root, None)
        raise NotIncludableError(
            f"{root} is in a git work tree but git is not installed, so tracked files cannot "
            "be told from others: apt-get install -y git"
        ) from None
    except subprocess.TimeoutExpired:
        raise NotIncludableError(f"`git ls-files` took longer than {GIT_TIMEOUT_S:.0f} s") from None
    if done.returncode != 0:
        if b"not a git repository" in done.stderr:
            return IncludePolicy(root, None)
        message = done.stderr.decode(errors="replace").strip()
        raise NotIncludableError(f"`git ls-files` failed in {root}: {message}")
    names = done.stdout.split(b"\0")
    return IncludePolicy(root, frozenset(os.fsdecode(name) for name in names if name))
