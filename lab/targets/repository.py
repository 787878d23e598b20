"""Where the cluster gets the lab's source: the clone these notebooks run from, or a parameter."""

from __future__ import annotations

import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

SCP_LIKE = re.compile(r"^(?:[\w.-]+@)?(?P<host>[\w.-]+):(?P<path>(?!//)[^\s]+)$")


class RepositoryError(ValueError):
    """Raised when the repository URL or branch for the cluster cannot be found."""


@dataclass(frozen=True)
class Source:
    """A Git URL the cluster can clone, and the branch to build."""

    url: str
    revision: str


def _git(root: Path, *args: str) -> str:
    """One git command in ``root``; its output, or '' if it failed."""
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args],
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def https_url(url: str) -> str:
    """An SSH remote (``git@github.com:me/lab.git``) as the HTTPS URL a cluster can clone."""
    match = SCP_LIKE.match(url)
    if match and "/" not in match["host"]:
        return f"https://{match['host']}/{match['path']}"
    if url.startswith("ssh://"):
        rest = url.removeprefix("ssh://").split("@", 1)[-1]
        host, _, path = rest.partition("/")
        return f"https://{host.split(':')[0]}/{path}"
    return url


def find_source(root: Path, repo_url: str = "", revision: str = "") -> Source:
    """The repository URL and branch: the parameters if given, else the clone's origin."""
    url = repo_url.strip() or https_url(_git(root, "remote", "get-url", "origin"))
    if not url:
        raise RepositoryError(
            f"{root} has no remote named origin, so the cluster cannot know where to clone "
            "the lab from: set repo_url in the parameters cell to your repository's Git URL "
            "(e.g. https://github.com/YOU/gourmetgram-lab.git)"
        )
    branch = revision.strip() or _git(root, "symbolic-ref", "--short", "-q", "HEAD")
    if not branch:
        raise RepositoryError(
            f"{root} is not on a branch (detached HEAD?): the cluster clones a branch; check "
            "one out (`git switch main`)"
        )
    return Source(url=url, revision=branch)
