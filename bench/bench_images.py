"""Benchmark the lab's images: sizes, and build times cold and warm.

Sizes come from `docker image inspect` (uncompressed, as `docker image ls` shows them). Here
the base is the stand-in `lab-standin/python:3.11-bookworm` (Docker Hub cannot be reached),
so the figure on the real base is estimated: size - stand-in size + python:3.11-slim's size
(PYTHON_SLIM_MB, Docker Hub's figure for the linux/amd64 image; it cannot be measured here).
Cold: `docker build --no-cache` (every layer again, the base image already present); warm:
the same build with the layer cache (nothing changed). Goals: train image <= 1.1 GB and app
image <= 0.9 GB on python:3.11-slim.

    .venv/bin/python bench/bench_images.py [--repeat N] [--cold]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

from lab.docker.build import build_image, image_size
from lab.docker.buildargs import build_setup

ROOT = Path(__file__).resolve().parent.parent
PYTHON_SLIM_MB = 125  # python:3.11-slim, linux/amd64, uncompressed (Docker Hub, 2026)
TRAIN, APP = "gourmetgram-train:bench", "gourmetgram-app:bench"


def app_context(folder: Path) -> Path:
    """app/ plus a model/ folder as fetch-model leaves it (a real serving artifact)."""
    sys.path[:0] = [str(ROOT), str(ROOT / "train")]  # as pytest's pythonpath setting does
    from tests.app.serving import assemble_context, make_serving_artifact

    serving = make_serving_artifact(folder / "serving")
    return assemble_context(folder / "context", serving, model_version=1)


def timed_build(context: Path, tag: str, log: Path, *, cold: bool) -> float:
    """Seconds one build of ``context`` takes (``--no-cache`` when cold)."""
    start = time.monotonic()
    build_image(context, tag, log_path=log, echo=lambda _: None, no_cache=cold)
    return time.monotonic() - start


def main() -> int:
    """Build each image, print sizes and the medians of warm (and optionally cold) builds."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="warm builds per image")
    parser.add_argument("--cold", action="store_true", help="also time one --no-cache build")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-images-") as tmp:
        folder = Path(tmp)
        contexts = {TRAIN: ROOT / "train", APP: app_context(folder)}
        setup = build_setup(ROOT / "train" / "Dockerfile")
        base = setup.build_args.get("BASE_IMAGE")
        base_mb = image_size(base) / 1e6 if base else PYTHON_SLIM_MB
        print(f"base: {base or 'python:3.11.14-slim (official)'}: {base_mb:.0f} MB")
        for tag, context in contexts.items():
            log = folder / f"{tag.replace(':', '_')}.log"
            first = timed_build(context, tag, log, cold=False)  # builds or reuses the cache
            cold = timed_build(context, tag, log, cold=True) if args.cold else None
            warm = [timed_build(context, tag, log, cold=False) for _ in range(args.repeat)]
            size = image_size(tag) / 1e6
            on_slim = size - base_mb + PYTHON_SLIM_MB
            print(
                f"{tag}: {size:.0f} MB here, about {on_slim:.0f} MB on python:3.11-slim; "
                f"first build {first:.1f} s"
                + (f", cold (--no-cache) {cold:.1f} s" if cold is not None else "")
                + f", warm median of {args.repeat} {statistics.median(warm):.2f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
