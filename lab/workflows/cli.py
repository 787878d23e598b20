"""Command line: ``lab-check-workflows check workflows/`` and ``... dot FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lab.workflows.check import check_paths
from lab.workflows.draw import workflow_dot
from lab.workflows.errors import WorkflowCheckError


def build_parser() -> argparse.ArgumentParser:
    """The argument parser with its two commands."""
    parser = argparse.ArgumentParser(
        prog="lab-check-workflows",
        description="Check Argo workflow files offline, or draw a WorkflowTemplate as DOT.",
    )
    commands = parser.add_subparsers(dest="command", required=True)
    check = commands.add_parser(
        "check",
        help="validate files against Argo's schema and resolve every reference",
        description=(
            "Validate Argo YAML files (folders: their *.yaml and *.yml files) against Argo's "
            "schema, reject unknown fields, resolve templates, parameters, steps, tasks and "
            "workflowTemplateRefs among the files given, and check embedded shell and Python."
        ),
    )
    check.add_argument("paths", nargs="+", type=Path, help="files or folders to check")
    check.add_argument(
        "--skip-shellcheck", action="store_true", help="do not run shellcheck on embedded shell"
    )
    dot = commands.add_parser("dot", help="print the Graphviz DOT picture of a WorkflowTemplate")
    dot.add_argument("path", type=Path, help="a WorkflowTemplate file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 when all is well, 1 when problems were found, 2 on bad usage."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "dot":
            sys.stdout.write(workflow_dot(args.path))
            return 0
        problems = check_paths(args.paths, shellcheck=not args.skip_shellcheck)
    except WorkflowCheckError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    files = {p.file for p in problems}
    if problems:
        print(f"{len(problems)} problem(s) in {len(files)} file(s)", file=sys.stderr)
        return 1
    print("no problems found", file=sys.stderr)
    return 0
