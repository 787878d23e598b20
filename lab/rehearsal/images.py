"""What each image a step names provides: its commands, its package tool, its Python packages.

A step here sees only what its image would give it on the cluster: its ``PATH`` is a
folder of links to this machine's programs of the same names, for the commands the image
ships, plus what the step's own ``apk add``/``apt-get install``/``pip install`` lines add
(after the shims check this machine has them). An undeclared ``jq`` or ``import torch``
fails here as it would there. An image not in this catalog cannot be rehearsed: add it
here with the commands it ships.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


def _words(text: str) -> tuple[str, ...]:
    """The whitespace-separated words of ``text``."""
    return tuple(text.split())


# BusyBox applets of Alpine's busybox (the commands alpine and busybox images ship).
BUSYBOX = _words(
    """
    [ [[ ash awk base64 basename bc bunzip2 bzcat cat chgrp chmod chown chroot cksum clear
    cmp comm cp cpio cut date dc dd df diff dirname dmesg dos2unix du echo egrep env expand
    expr false fgrep find fold free fuser getopt grep gunzip gzip hd head hexdump hostname
    id install ipcalc kill killall less link ln logger ls lsof md5sum mkdir mkfifo mknod
    mktemp more mount mv nc netstat nice nl nohup nproc nslookup od paste pgrep pidof ping
    pkill printenv printf ps pwd readlink realpath renice reset rev rm rmdir sed seq sh
    sha1sum sha256sum sha512sum shred sleep sort split stat strings stty su sum sync tac
    tail tar tee test time timeout top touch tr traceroute true truncate tty uname unexpand
    uniq unlink unxz unzip uptime usleep uudecode uuencode vi watch wc wget which whoami
    xargs xxd xzcat yes zcat
    """
)
# Debian's essential packages, as a -slim image has them (no curl, wget, git or ps).
DEBIAN = _words(
    """
    [ arch awk b2sum base32 base64 basename bash cat chgrp chmod chown chroot cksum cmp comm
    cp csplit cut dash date dd df diff dir dircolors dirname du echo egrep env expand expr
    factor false fgrep find fmt fold grep groups gunzip gzip head hostid hostname id install
    join link ln logname ls md5sum mkdir mkfifo mknod mktemp mv nice nl nohup nproc numfmt
    od paste pathchk perl pinky pr printenv printf ptx pwd readlink realpath rm rmdir
    run-parts sed seq sh sha1sum sha224sum sha256sum sha384sum sha512sum shred shuf sleep
    sort split stat stdbuf stty sum sync tac tail tar tee tempfile test timeout touch tr
    true truncate tsort tty uname unexpand uniq unlink users vdir wc which who whoami xargs
    yes zcat
    """
)
PYTHON_COMMANDS = ("python", "python3", "pip", "pip3")
PYTHON_IMAGE_DISTS = ("pip", "setuptools", "wheel")  # what python:3.11 images install


@dataclass(frozen=True)
class Image:
    """One kind of image: the commands on its PATH, its package tool, its Python."""

    kind: str
    commands: tuple[str, ...]
    package_tool: str | None
    python_dists: tuple[str, ...] | None = None  # None: no Python in the image

    @property
    def has_python(self) -> bool:
        """Whether the image ships ``python`` (and pip)."""
        return self.python_dists is not None

    def provides(self, command: str) -> bool:
        """Whether ``command`` (a name or a path) is on the image's PATH."""
        name = command.rsplit("/", 1)[-1]
        if self.has_python and (name in PYTHON_COMMANDS or re.fullmatch(r"python3\.\d+", name)):
            return True
        return name in self.commands or name == self.package_tool


ALPINE = Image("alpine (BusyBox)", BUSYBOX, "apk")
# alpine/git: Alpine with `apk add git less openssh` (its Dockerfile), git as the entrypoint.
ALPINE_GIT = Image("alpine/git (BusyBox, git)", (*BUSYBOX, "git", "less", "ssh", "scp"), "apk")
BUSYBOX_IMAGE = Image("busybox", BUSYBOX, None)
DEBIAN_SLIM = Image("debian slim", DEBIAN, "apt-get")
PYTHON_SLIM = Image("python slim (Debian)", DEBIAN, "apt-get", PYTHON_IMAGE_DISTS)

#: (repository pattern, tag pattern, as shown) -> what it provides; the first match wins.
CATALOG: tuple[tuple[str, str, str, Image], ...] = (
    (r"alpine", r".*", "alpine:*", ALPINE),
    (r"alpine/git", r"v?\d+\.\d+\.\d+", "alpine/git:vX.Y.Z", ALPINE_GIT),
    (r"busybox", r".*", "busybox:*", BUSYBOX_IMAGE),
    (r"python", r"3\.\d+(\.\d+)?-slim(-\w+)?", "python:3.X[.Y]-slim", PYTHON_SLIM),
    (r"debian", r"[\w.]+-slim", "debian:*-slim", DEBIAN_SLIM),
)


def repository(image: str) -> tuple[str, str]:
    """``(repository, tag)`` of an image reference, Docker Hub's library prefix dropped."""
    name, _, digest = image.partition("@")
    slash = name.rfind("/")
    colon = name.rfind(":")
    repo, tag = (name[:colon], name[colon + 1 :]) if colon > slash else (name, "latest")
    for prefix in ("docker.io/library/", "docker.io/", "library/"):
        if repo.startswith(prefix):
            repo = repo[len(prefix) :]
    return repo, tag if not digest or tag != "latest" else digest


def lookup(image: str) -> Image | None:
    """What ``image`` provides, or None when the catalog does not know it."""
    repo, tag = repository(image)
    for repo_pattern, tag_pattern, _, known in CATALOG:
        if re.fullmatch(repo_pattern, repo) and re.fullmatch(tag_pattern, tag):
            return known
    return None


def known_images() -> str:
    """The catalog in words, for messages."""
    return ", ".join(shown for _, _, shown, _ in CATALOG)
