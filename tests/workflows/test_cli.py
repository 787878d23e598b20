"""The checker's command line: errors fail, warnings fail only with --strict, hostile YAML is
answered at once, and the Argo version can be chosen."""

from __future__ import annotations

from pathlib import Path

import pytest

from lab.workflows.cli import main

TEMPLATE = """\
apiVersion: argoproj.io/v1alpha1
kind: WorkflowTemplate
metadata:
  name: greet
spec:
  entrypoint: say
  templates:
    - name: say
      script:
        image: alpine:3.21.3
        command: [sh]
        source: |
          echo -n "no newline"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "w.yaml"
    path.write_text(text)
    return path


def test_a_shellcheck_warning_is_reported_but_does_not_fail(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, TEMPLATE)  # SC3037: echo -n is not POSIX, busybox runs it fine
    assert main(["check", str(path)]) == 0
    captured = capsys.readouterr()
    assert f"{path}: warning: template 'say': script.source: SC3037" in captured.out
    assert "0 error(s), 1 warning(s) in 1 file(s) (pass --strict to fail on warnings)" in (
        captured.err
    )


def test_strict_fails_on_warnings(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--strict", str(write(tmp_path, TEMPLATE))]) == 1
    assert "0 error(s), 1 warning(s)" in capsys.readouterr().err


@pytest.mark.parametrize("text", ["", "# just a comment\n"])
def test_an_empty_file_is_an_error(
    tmp_path: Path, text: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["check", str(write(tmp_path, text))]) == 1
    assert "no YAML document" in capsys.readouterr().out


def test_an_alias_bomb_is_an_error_with_its_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    levels = [f"a0: &a0 [{', '.join(['x'] * 9)}]"]
    levels += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, 9)]
    path = write(tmp_path, "\n".join(levels) + "\n")
    assert main(["check", str(path)]) == 1
    out = capsys.readouterr().out
    assert f"{path}: not valid YAML: aliases expand this document to more than" in out
    assert "(line 6)" in out


def test_an_unknown_argo_version_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write(tmp_path, TEMPLATE)
    assert main(["check", "--argo-version", "v0.1", str(path)]) == 2
    assert "no schema for Argo v0.1" in capsys.readouterr().err
    assert main(["check", "--argo-version", "v3.6.5", "--skip-shellcheck", str(path)]) == 0
