"""``python -m lab.docker``: build an image here as node1 would, adding only the build args needed.

python -m lab.docker build train/ gourmetgram-train
python -m lab.docker args train/Dockerfile      # just say which build args this machine needs
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lab.docker.build import build_image
from lab.docker.buildargs import build_setup, describe
from lab.docker.errors import DockerError
from lab.paths import state_dir


def main(argv: list[str] | None = None) -> int:
    """Parse the subcommand and run it; errors are one clear line and exit status 1."""
    parser = argparse.ArgumentParser(prog="python -m lab.docker", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    build = sub.add_parser("build", help="docker build CONTEXT as TAG with this machine's args")
    build.add_argument("context", type=Path)
    build.add_argument("tag")
    args = sub.add_parser("args", help="print the build args this machine needs for a Dockerfile")
    args.add_argument("dockerfile", type=Path)
    parsed = parser.parse_args(argv)
    try:
        if parsed.command == "args":
            setup = build_setup(parsed.dockerfile)
            print("\n".join(describe(setup)))
            print(" ".join(setup.docker_args()))
            return 0
        log = state_dir() / "logs" / f"docker-build-{parsed.tag.replace('/', '_')}.log"
        image = build_image(parsed.context.resolve(), parsed.tag, log_path=log)
        print(f"built {parsed.tag}: {image}")
        return 0
    except (DockerError, OSError) as error:
        print(f"python -m lab.docker: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
