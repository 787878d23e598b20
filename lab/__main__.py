"""``python -m lab``: run the notebooks locally (the main job), or stop the local services."""

from __future__ import annotations

import argparse
import sys


def main(argv: list[str] | None = None) -> int:
    """Parse the subcommand and run it; the exit status says whether it worked."""
    parser = argparse.ArgumentParser(prog="python -m lab", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    run = sub.add_parser("run-notebooks", help="execute the notebooks with papermill (local)")
    run.add_argument("names", nargs="*", help="notebook names (default: all, in order)")
    run.add_argument(
        "--keep", action="store_true", help="leave the local services running afterwards"
    )
    sub.add_parser("stop", help="stop every local service the lab started")
    args = parser.parse_args(argv)

    if args.command == "stop":
        from lab.targets.local import LocalTarget

        LocalTarget().stop()
        return 0
    from lab.run_notebooks import run_all, summary

    try:
        outcomes = run_all(args.names or None)
    finally:
        if not args.keep:
            from lab.targets.local import LocalTarget  # after: the first kernel boots sooner

            LocalTarget(echo=lambda _: None).stop()
    print(summary(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
