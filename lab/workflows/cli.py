"""Command line: ``lab-check-workflows check [--strict] workflows/`` and ``... dot FILE``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lab.argo.findings import ArgoModelError
from lab.argo.openapi import DEFAULT_VERSION, versions
from lab.workflows.check import check_paths
from lab.workflows.draw import workflow_dot


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
            "Validate Argo YAML files (folders: their *.yaml and *.yml files) against the "
            "schema of the cluster's Argo version, reject unknown fields, resolve templates, "
            "parameters, steps, tasks and workflowTemplateRefs among the files given, and "
            "check embedded shell and Python. Errors fail the check; warnings (shellcheck's "
            "notes, fields without effect) fail it only with --strict."
        ),
    )
    check.add_argument("paths", nargs="+", type=Path, help="files or folders to check")
    check.add_argument(
        "--strict", action="store_true", help="fail on warnings too (our own CI does)"
    )
    check.add_argument(
        "--argo-version",
        default=DEFAULT_VERSION,
        help=f"Argo schema to validate against (default {DEFAULT_VERSION}; "
        f"vendored: {', '.join(versions())})",
    )
    check.add_argument(
        "--skip-shellcheck", action="store_true", help="do not run shellcheck on embedded shell"
    )
    dot = commands.add_parser("dot", help="print the Graphviz DOT picture of a WorkflowTemplate")
    dot.add_argument("path", type=Path, help="a WorkflowTemplate file")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; 0 when all is well, 1 when the check fails, 2 on bad usage."""
    args = build_parser().parse_args(argv)
    try:
        if args.command == "dot":
            sys.stdout.write(workflow_dot(args.path))
            return 0
        problems = check_paths(
            args.paths, shellcheck=not args.skip_shellcheck, version=args.argo_version
        )
    except ArgoModelError as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    for problem in problems:
        print(problem)
    errors = [p for p in problems if p.is_error]
    warnings = len(problems) - len(errors)
    files = len({p.file for p in problems})
    if not problems:
        print("no problems found", file=sys.stderr)
        return 0
    summary = f"{len(errors)} error(s), {warnings} warning(s) in {files} file(s)"
    failed = bool(errors) or (args.strict and warnings > 0)
    hint = "" if failed or not warnings else " (pass --strict to fail on warnings)"
    print(summary + hint, file=sys.stderr)
    return 1 if failed else 0
