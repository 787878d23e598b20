"""Findings: how errors and warnings read."""

from __future__ import annotations

from lab.argo.findings import Problem, Severity


def test_an_error_reads_file_context_message_line() -> None:
    problem = Problem("w.yaml", "template 'a'", "unknown field 'x'", 7)
    assert str(problem) == "w.yaml: template 'a': unknown field 'x' (line 7)"
    assert problem.is_error


def test_a_warning_says_so_after_the_file() -> None:
    problem = Problem("w.yaml", "", "SC2086 (info): quote it", None, Severity.WARNING)
    assert str(problem) == "w.yaml: warning: SC2086 (info): quote it"
    assert not problem.is_error
