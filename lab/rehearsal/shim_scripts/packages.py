"""Rehearsal shim for ``apk`` and ``apt-get``: check each package's command exists, install nothing.

Run as ``python -I packages.py TOOL REAL_PATH SHIM_DIR ARGS...`` by the wrapper the
rehearsal writes. When every package is here, its commands are added to the step's PATH.
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pod import add_command, add_dists, add_python

PYTHON = "<python>"  # the rehearsal's own interpreter (the ``python`` shim)
PIP = "<pip>"  # the rehearsal's pip shim
# Package → the commands it provides (the first one shows it is installed; empty: nothing
# to check, e.g. CA bundles).
COMMANDS: dict[str, tuple[str, ...]] = {
    "bash": ("bash",),
    "bind-tools": ("dig", "nslookup", "host"),
    "ca-certificates": (),
    "coreutils": (),
    "curl": ("curl",),
    "dnsutils": ("dig", "nslookup", "host"),
    "gettext": ("envsubst",),
    "git": ("git",),
    "gzip": ("gzip", "gunzip", "zcat"),
    "jq": ("jq",),
    "make": ("make",),
    "netcat-openbsd": ("nc",),
    "openssh-client": ("ssh", "scp"),
    "openssl": ("openssl",),
    "procps": ("ps", "pgrep", "pkill", "top"),
    "py3-pip": (PIP,),
    "python3": (PYTHON,),
    "python3-pip": (PIP,),
    "tar": ("tar",),
    "tzdata": (),
    "unzip": ("unzip",),
    "wget": ("wget",),
    "yq": ("yq",),
}
# Options that take a value as the next argument.
VALUE_OPTIONS = {
    "apk": {
        "--virtual",
        "-t",
        "--repository",
        "-X",
        "--arch",
        "--root",
        "-p",
        "--repositories-file",
    },
    "apt-get": {"-o", "-t", "--target-release", "-c", "--config-file"},
}
NO_OPS = {"apk": {"update", "cache"}, "apt-get": {"update", "clean", "autoclean", "autoremove"}}
INSTALL = {"apk": "add", "apt-get": "install"}


def split_args(tool: str, args: list[str]) -> tuple[str | None, list[str]]:
    """The subcommand and the package words, with options (and their values) dropped."""
    words: list[str] = []
    skip = False
    for arg in args:
        if skip:
            skip = False
        elif arg.startswith("-"):
            skip = arg in VALUE_OPTIONS.get(tool, set())
        else:
            words.append(arg)
    return (words[0] if words else None), words[1:]


def package_name(spec: str) -> str:
    """``curl=8.5.0-r0`` → ``curl`` (versions are not checked locally)."""
    for sep in ("=", "<", ">", "~"):
        spec = spec.split(sep, 1)[0]
    return spec


def install(name: str, commands: tuple[str, ...], real_path: str, shim_dir: Path) -> None:
    """Add a checked package's commands to the step's PATH."""
    for command in commands:
        if command == PYTHON:
            add_python(shim_dir)
        elif command == PIP:
            for pip in ("pip", "pip3"):
                add_command(pip, str(shim_dir / "pip"))
            add_dists(["pip"])
        elif found := shutil.which(command, path=real_path):
            add_command(command, found)


def main(argv: list[str]) -> int:
    """Check an install line; print what was checked to stderr; exit 0 only if all are here."""
    tool, real_path, shim_dir, args = argv[0], argv[1], Path(argv[2]), argv[3:]
    tool = "apt-get" if tool == "apt" else tool
    command, packages = split_args(tool, args)
    if command in NO_OPS[tool]:
        print(
            f"rehearsal: {tool} {command}: nothing to do (packages are checked, not installed)",
            file=sys.stderr,
        )
        return 0
    if command != INSTALL[tool]:
        print(
            f"rehearsal: '{tool} {' '.join(args)}' is not rehearsed; "
            f"only '{tool} {INSTALL[tool]} PACKAGE...' is",
            file=sys.stderr,
        )
        return 1
    found: list[str] = []
    missing: list[str] = []
    for spec in packages:
        name = package_name(spec)
        commands = COMMANDS.get(name, (name,))
        first = commands[0] if commands else None
        if first is None:
            found.append(f"{name} (nothing to check)")
        elif first in (PYTHON, PIP):
            found.append(f"this environment's python for {name}")
        elif shutil.which(first, path=real_path):
            found.append(first if first == name else f"{first} for {name}")
        else:
            missing.append(name)
    for name in missing:
        print(
            f"{tool} {INSTALL[tool]} {name}: not available on this machine; install {name}",
            file=sys.stderr,
        )
    if missing:
        return 1
    for spec in packages:
        name = package_name(spec)
        install(name, COMMANDS.get(name, (name,)), real_path, shim_dir)
    versions = " (versions not checked)" if any(package_name(p) != p for p in packages) else ""
    print(
        f"rehearsal: {tool} {INSTALL[tool]} {' '.join(packages)} "
        f"satisfied by local {', '.join(found)}{versions}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
