"""Rehearsal shim for ``pip install``: check this environment already has each pin, install nothing.

Run as ``python -I pip.py ARGS...`` by the wrapper the rehearsal writes; read-only commands
(``list``, ``freeze``, ``show``, ``--version``) go to the real pip. When every pin is
here, the distributions and what they require become importable in the step.
"""

from __future__ import annotations

import importlib.metadata
import subprocess
import sys
from pathlib import Path

from packaging.requirements import InvalidRequirement, Requirement
from packaging.version import InvalidVersion, Version

sys.path.insert(0, str(Path(__file__).resolve().parent))
from pod import add_dists, canonical

VALUE_OPTIONS = {
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--root-user-action",
    "--progress-bar",
    "--target",
    "-t",
    "--prefix",
    "--root",
    "--platform",
    "--python-version",
    "--trusted-host",
    "--cache-dir",
    "--timeout",
}
READ_ONLY = {"list", "freeze", "show", "check", "--version", "-V", "help", "--help"}
REFUSED = {"-e", "--editable"}


def requirements(args: list[str]) -> list[str]:
    """The requirement strings of an install line, reading ``-r FILE`` too."""
    reqs: list[str] = []
    it = iter(args)
    for arg in it:
        if arg in REFUSED:
            raise SystemExit(f"pip install {arg}: editable installs are not rehearsed")
        if arg in ("-r", "--requirement") or arg.startswith("--requirement="):
            path = arg.split("=", 1)[1] if "=" in arg else next(it, "")
            reqs += [
                line.split("#", 1)[0].strip()
                for line in Path(path).read_text(encoding="utf-8").splitlines()
                if line.split("#", 1)[0].strip() and not line.lstrip().startswith("-")
            ]
        elif arg in ("-c", "--constraint") or arg in VALUE_OPTIONS:
            next(it, None)
        elif not arg.startswith("-"):
            reqs.append(arg)
    return reqs


def check(spec: str) -> tuple[bool, str]:
    """Whether this environment satisfies one requirement, and what it has."""
    try:
        req = Requirement(spec)
    except InvalidRequirement:
        return False, f"pip install {spec}: only NAME==VERSION requirements are rehearsed"
    try:
        have = importlib.metadata.version(req.name)
    except importlib.metadata.PackageNotFoundError:
        return False, (
            f"pip install {spec}: this environment has no {req.name}; add it to requirements.txt"
        )
    try:
        ok = not req.specifier or req.specifier.contains(Version(have), prereleases=True)
    except InvalidVersion:
        ok = False
    if not ok:
        return False, (
            f"pip install {spec}: this environment has {req.name} {have}; "
            "add it to requirements.txt"
        )
    note = "" if req.specifier else " (unpinned)"
    return True, f"{req.name} {have}{note}"


def closure(names: list[str]) -> list[str]:
    """The distributions ``names`` need installed: themselves and what they require."""
    seen: set[str] = set()
    todo = [canonical(n) for n in names]
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        try:
            requires = importlib.metadata.requires(name) or []
        except importlib.metadata.PackageNotFoundError:
            continue
        for line in requires:
            req = Requirement(line)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonical(req.name))
    return sorted(seen)


def main(argv: list[str]) -> int:
    """Check an install line; print what was checked to stderr; exit 0 only if all are here."""
    command = next((a for a in argv if not a.startswith("-") or a in READ_ONLY), None)
    if command in READ_ONLY:
        # -I: the real pip, not the rehearsal's ``pip`` module on PYTHONPATH
        return subprocess.run([sys.executable, "-I", "-m", "pip", *argv], check=False).returncode
    if command != "install":
        print(
            f"rehearsal: 'pip {' '.join(argv)}' is not rehearsed; "
            "only 'pip install NAME==VERSION...' is",
            file=sys.stderr,
        )
        return 1
    reqs = requirements(argv[argv.index("install") + 1 :])
    results = [check(spec) for spec in reqs]
    for ok, message in results:
        if not ok:
            print(message, file=sys.stderr)
    if not all(ok for ok, _ in results):
        return 1
    add_dists(closure([Requirement(spec).name for spec in reqs]))
    found = ", ".join(message for _, message in results)
    print(
        f"rehearsal: pip install {' '.join(reqs)} satisfied by this environment's {found}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
