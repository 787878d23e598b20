"""Check code embedded in templates: shell with ``sh -n`` and shellcheck, Python with compile().

Argo fills in ``{{...}}`` placeholders before a script runs, so each one is replaced by a
harmless word first. shellcheck's "constant expression" findings are then ignored, since
the substitution, not the author, made those expressions constant.

Severities: code that does not parse (``sh -n``, ``compile()``, shellcheck's own
``error`` level) is an error; shellcheck's warnings, infos and style notes are warnings,
since Argo runs such a script all the same (``--strict`` fails on them).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from lab.argo.documents import Document, iter_templates, workflow_spec
from lab.argo.findings import Problem, Severity
from lab.argo.model import get, mappings
from lab.argo.variables import blank_out

DUMMY = "argo_placeholder"
SHELLS = {"sh": "sh", "ash": "sh", "dash": "dash", "bash": "bash", "ksh": "ksh"}
PYTHON = re.compile(r"python(\d+(\.\d+)?)?$")
# SC2050/SC2157/SC2193/SC2194: comparisons made constant by the placeholder substitution.
CONSTANT_CODES = "SC2050,SC2157,SC2193,SC2194"
TIMEOUT_S = 60
Finding = tuple[str, int | None, Severity]
SHELLCHECK_HINT = "apt-get install -y shellcheck"


@dataclass(frozen=True)
class Snippet:
    """A piece of embedded code: its language, text, field path and first line in the file."""

    language: str  # "python" or a shell dialect (sh, bash, dash, ksh)
    code: str
    field: str
    line: int | None


def language_of(program: str) -> str | None:
    """The language a command runs its code in: a shell dialect, ``python``, or None."""
    name = PurePosixPath(program).name
    if name in SHELLS:
        return SHELLS[name]
    return "python" if PYTHON.match(name) else None


def inline_code(argv: list[Any]) -> tuple[str, int] | None:
    """``(language, index of the code)`` when ``argv`` is ``sh -c CODE`` or ``python -c CODE``."""
    if not argv or not isinstance(argv[0], str):
        return None
    start = 0
    if PurePosixPath(argv[0]).name == "busybox" and len(argv) > 1 and argv[1] in SHELLS:
        start = 1
    language = language_of(str(argv[start]))
    if language is None:
        return None
    for index in range(start + 1, len(argv) - 1):
        flag = argv[index]
        if not isinstance(flag, str) or not flag.startswith("-") or flag.startswith("--"):
            break
        if "c" in flag[1:] and (language != "python" or flag == "-c"):
            return language, index + 1
    return None


def container_snippets(
    document: Document, kind: str, container: dict, path: str
) -> Iterator[Snippet]:
    """The code a script or container runs, when it is shell or Python."""
    command = container.get("command") if isinstance(container.get("command"), list) else []
    if kind == "script":
        source = container.get("source")
        language = language_of(str(command[0])) if command else None
        if isinstance(source, str) and language:
            line = document.line(container, "source")
            yield Snippet(language, source, f"{path}.source", line + 1 if line else None)
        return
    args = container.get("args") if isinstance(container.get("args"), list) else []
    argv = [*command, *args]
    found = inline_code(argv)
    if found is None or not isinstance(argv[found[1]], str):
        return
    language, index = found
    key, position = ("command", index) if index < len(command) else ("args", index - len(command))
    line = document.line(container, key)
    code = argv[index]
    yield Snippet(
        language, code, f"{path}.{key}[{position}]", line + 1 if line and "\n" in code else line
    )


def snippets(template: dict, document: Document) -> Iterator[Snippet]:
    """All shell and Python code in one template (main container, init containers, sidecars)."""
    for kind in ("script", "container"):
        container = template.get(kind)
        if isinstance(container, dict):
            yield from container_snippets(document, kind, container, kind)
    for field in ("initContainers", "sidecars"):
        for index, container in enumerate(mappings(template.get(field))):
            yield from container_snippets(document, "container", container, f"{field}[{index}]")
    for index, container in enumerate(mappings(get(template, "containerSet", "containers"))):
        yield from container_snippets(
            document, "container", container, f"containerSet.containers[{index}]"
        )


class CodeChecker:
    """Runs the syntax checks; shellcheck is optional only when asked for."""

    def __init__(self, use_shellcheck: bool = True) -> None:
        """Find the programs once."""
        self.use_shellcheck = use_shellcheck
        self.shellcheck = shutil.which("shellcheck")
        self.missing_reported = False

    def check(self, snippet: Snippet) -> Iterator[tuple[str, int | None, Severity]]:
        """``(message, file line, severity)`` for each finding in ``snippet``."""
        code = blank_out(snippet.code, DUMMY)
        substituted = code != snippet.code
        if snippet.language == "python":
            yield from self.check_python(snippet, code)
        else:
            yield from self.check_shell_syntax(snippet, code)
            yield from self.check_shellcheck(snippet, code, substituted)

    def file_line(self, snippet: Snippet, line: int | None) -> int | None:
        """Map a line of the snippet to a line of the file."""
        if snippet.line is None or line is None:
            return snippet.line
        return snippet.line + line - 1

    def check_python(self, snippet: Snippet, code: str) -> Iterator[Finding]:
        """Python compiles (nothing is run)."""
        try:
            compile(code, snippet.field, "exec", dont_inherit=True)
        except SyntaxError as error:
            yield (
                f"{snippet.field}: Python does not compile: {error.msg}",
                self.file_line(snippet, error.lineno),
                Severity.ERROR,
            )

    def check_shell_syntax(self, snippet: Snippet, code: str) -> Iterator[Finding]:
        """The dialect's own parser accepts the script (``sh -n``)."""
        shell = shutil.which(snippet.language) or shutil.which("sh")
        if shell is None:
            return
        done = subprocess.run(
            [shell, "-n"],
            input=code,
            capture_output=True,
            text=True,
            timeout=TIMEOUT_S,
            check=False,
        )
        if done.returncode != 0:
            detail = done.stderr.strip().splitlines()
            message = detail[0] if detail else f"exit status {done.returncode}"
            number = re.search(r"line (\d+)|: (\d+):", message)
            line = int(number.group(1) or number.group(2)) if number else None
            yield (
                f"{snippet.field}: {snippet.language} -n: {message}",
                self.file_line(snippet, line),
                Severity.ERROR,
            )

    def check_shellcheck(self, snippet: Snippet, code: str, substituted: bool) -> Iterator[Finding]:
        """shellcheck's findings: its ``error`` level as errors, the rest as warnings."""
        if not self.use_shellcheck:
            return
        if self.shellcheck is None:
            if not self.missing_reported:
                self.missing_reported = True
                yield (
                    f"shellcheck is not installed: install it ({SHELLCHECK_HINT}) "
                    "or pass --skip-shellcheck",
                    None,
                    Severity.ERROR,
                )
            return
        argv = [self.shellcheck, "--format=json1", f"--shell={snippet.language}"]
        if substituted:
            argv.append(f"--exclude={CONSTANT_CODES}")
        done = subprocess.run(
            [*argv, "-"], input=code, capture_output=True, text=True, timeout=TIMEOUT_S, check=False
        )
        try:
            comments = json.loads(done.stdout or "{}").get("comments", [])
        except json.JSONDecodeError:
            message = f"{snippet.field}: shellcheck failed: {done.stderr.strip()}"
            yield message, snippet.line, Severity.ERROR
            return
        for comment in comments:
            message = (
                f"{snippet.field}: SC{comment['code']} ({comment['level']}): {comment['message']}"
            )
            level = Severity.ERROR if comment["level"] == "error" else Severity.WARNING
            yield message, self.file_line(snippet, comment.get("line")), level


def check_scripts(document: Document, checker: CodeChecker) -> Iterator[Problem]:
    """Problems in the shell and Python code embedded in ``document``'s templates."""
    for _, template in iter_templates(workflow_spec(document.raw)):
        context = f"template '{template.get('name')}'"
        for snippet in snippets(template, document):
            for message, line, severity in checker.check(snippet):
                if message.startswith("shellcheck is not installed"):
                    yield Problem(document.file, "", message)
                else:
                    yield document.problem(context, message, line, severity=severity)
