"""Embedded code: which code is found, and how severe each finding is."""

from __future__ import annotations

import pytest

from lab.argo.findings import Severity
from lab.workflows.scripts import CodeChecker, Snippet, inline_code, language_of


@pytest.mark.parametrize(
    ("argv", "found"),
    [
        (["sh", "-c", "echo"], ("sh", 2)),
        (["/bin/bash", "-ec", "echo"], ("bash", 2)),
        (["busybox", "sh", "-c", "echo"], ("sh", 3)),
        (["python3", "-c", "print()"], ("python", 2)),
        (["python", "-u", "x.py"], None),
        (["curl", "-c", "x"], None),
    ],
)
def test_inline_code(argv: list[str], found: tuple[str, int] | None) -> None:
    assert inline_code(argv) == found
    assert language_of("ash") == "sh" and language_of("python3.11") == "python"


def test_shellcheck_notes_are_warnings_and_broken_code_is_an_error() -> None:
    checker = CodeChecker()
    notes = list(checker.check(Snippet("sh", 'echo -n "no newline"\n', "script.source", 10)))
    assert [(m.split(":")[1].strip()[:6], s) for m, _, s in notes] == [("SC3037", Severity.WARNING)]
    broken = list(checker.check(Snippet("sh", "if true; then\n", "script.source", 10)))
    parse_errors = [s for m, _, s in broken if "sh -n:" in m or "(error)" in m]
    assert len(parse_errors) >= 2 and set(parse_errors) == {Severity.ERROR}
    python = list(checker.check(Snippet("python", "def f(:\n", "script.source", 10)))
    assert [(line, s) for _, line, s in python] == [(10, Severity.ERROR)]
