"""Rehearsal shim for ``apk`` and ``apt-get``: check each package's command exists, install nothing.

Run as ``python -I packages.py TOOL REAL_PATH ARGS...`` by the wrapper the rehearsal writes.
"""

from __future__ import annotations

import shutil
import sys

PYTHON = "<python>"  # satisfied by the rehearsal's own interpreter (the ``python`` shim)
# Package → the command that shows it is installed (None: nothing to check, e.g. CA bundles).
COMMANDS: dict[str, str | None] = {
    "bash": "bash",
    "bind-tools": "dig",
    "ca-certificates": None,
    "coreutils": None,
    "curl": "curl",
    "dnsutils": "dig",
    "gettext": "envsubst",
    "git": "git",
    "gzip": "gzip",
    "jq": "jq",
    "make": "make",
    "netcat-openbsd": "nc",
    "openssh-client": "ssh",
    "openssl": "openssl",
    "procps": "ps",
    "py3-pip": PYTHON,
    "python3": PYTHON,
    "python3-pip": PYTHON,
    "tar": "tar",
    "tzdata": None,
    "unzip": "unzip",
    "wget": "wget",
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


def main(argv: list[str]) -> int:
    """Check an install line; print what was checked to stderr; exit 0 only if all are here."""
    tool, real_path, args = argv[0], argv[1], argv[2:]
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
        cmd = COMMANDS.get(name, name)
        if cmd is None:
            found.append(f"{name} (nothing to check)")
        elif cmd == PYTHON:
            found.append(f"this environment's python for {name}")
        elif shutil.which(cmd, path=real_path):
            found.append(cmd if cmd == name else f"{cmd} for {name}")
        else:
            missing.append(name)
    for name in missing:
        print(
            f"{tool} {INSTALL[tool]} {name}: not available on this machine; install {name}",
            file=sys.stderr,
        )
    if missing:
        return 1
    versions = " (versions not checked)" if any(package_name(p) != p for p in packages) else ""
    print(
        f"rehearsal: {tool} {INSTALL[tool]} {' '.join(packages)} "
        f"satisfied by local {', '.join(found)}{versions}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
