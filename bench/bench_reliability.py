"""Measure the app under hostile and normal load, and the training service's SIGTERM stop.

Usage: python bench/bench_reliability.py [--rounds 3] [--stops 3] [--app-dir DIR]
                                         [--train-dir DIR] [--registering-line REGEX]
                                         [--skip-app] [--skip-stop]

App (started from a build context as its image runs it, with a model exported by the
training code): peak RSS while 8 uploads of a 12000×12000 PNG (about 420 KB each) arrive at
once, the same for the largest PNG it decodes (6300×6300, 39.7 MP), and latency p50/p95 of
50 concurrent uploads of a normal photo (1600×1200 JPEG); `--rounds` of each.

Training service (against a lean local MLflow): seconds from SIGTERM (what `docker stop`
sends; it kills 10 s later) to the process's exit, for a run still training and for a run
that has begun registering; `--stops` of each, a fresh service for each stop.

--app-dir and --train-dir run another copy of app/ or train/ (e.g. the last commit's, to
compare). Prints medians. Goals: app ≤ 1.5 GB; stop ≤ 10 s.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import os
import shutil
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import numpy as np
from PIL import Image

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "train")]

from lab.services import (  # noqa: E402
    Service,
    free_port,
    start_mlflow_server,
    start_training_service,
    stop_service,
)
from lab.services.app import start_app  # noqa: E402
from tests.app.serving import make_serving_artifact  # noqa: E402
from tests.reliability.faults import trigger_in_background, wait_for_exit, wait_for_line  # noqa: E402
from tests.reliability.images import blank_png  # noqa: E402
from tests.reliability.measure import PeakRss  # noqa: E402

MB = 1_000_000
LARGE_UPLOADS, NORMAL_UPLOADS = 8, 50


def normal_photo() -> bytes:
    """A 1600×1200 JPEG with smooth colour changes, about the size a phone photo is resized to."""
    rng = np.random.default_rng(0)
    small = Image.fromarray(rng.integers(0, 255, (30, 40, 3), dtype=np.uint8))
    buffer = io.BytesIO()
    small.resize((1600, 1200), Image.Resampling.BICUBIC).save(buffer, "JPEG", quality=85)
    return buffer.getvalue()


async def post_all(url: str, data: bytes, count: int) -> list[tuple[int, float]]:
    """`count` concurrent uploads of `data`: (status, seconds) each."""
    limits = httpx.Limits(max_connections=count)
    async with httpx.AsyncClient(base_url=url, timeout=300, limits=limits) as client:

        async def one() -> tuple[int, float]:
            start = time.perf_counter()
            answer = await client.post("/predict", files={"file": ("p.jpg", data, "image/jpeg")})
            return answer.status_code, time.perf_counter() - start

        return list(await asyncio.gather(*(one() for _ in range(count))))


def peak_rss(service: Service, data: bytes, what: str, rounds: int) -> list[float]:
    """The app's peak RSS (MB) in each of `rounds` rounds of 8 uploads of `data` at once."""
    peaks = []
    for number in range(rounds):
        with PeakRss(service.pid) as rss:
            answers = asyncio.run(post_all(service.url, data, LARGE_UPLOADS))
        peaks.append(rss.peak / MB)
        codes = sorted({code for code, _ in answers})
        print(f"round {number + 1}: {LARGE_UPLOADS} × {what} → {codes}, peak {peaks[-1]:.0f} MB")
    return peaks


def bench_app(args: argparse.Namespace, tmp: Path) -> None:
    """Peak RSS under the oversized uploads, latency under the normal ones."""
    context = tmp / "context"
    shutil.copytree(args.app_dir, context, ignore=shutil.ignore_patterns("__pycache__", "model"))
    make_serving_artifact(context / "model")
    (context / "model" / "version.txt").write_text("1.0.1\n")
    service = start_app(context, tmp / "app-state", timeout_s=120)
    large, normal = blank_png(12_000, 12_000), normal_photo()
    largest_accepted = blank_png(6_300, 6_300)  # 39.7 MP: decoded, just under the limit
    try:
        idle = PeakRss(service.pid).peak
        # Each load in its own rounds, the oversized first: memory the allocator keeps after
        # a heavier load would otherwise count towards a lighter one's peak.
        peaks = peak_rss(service, large, "12000×12000 PNG", args.rounds)
        accepted_peaks = peak_rss(service, largest_accepted, "6300×6300 PNG", args.rounds)
        p50s, p95s = [], []
        for number in range(args.rounds):
            times = sorted(s for _, s in asyncio.run(post_all(service.url, normal, NORMAL_UPLOADS)))
            p50s.append(statistics.median(times))
            p95s.append(times[int(0.95 * len(times)) - 1])
            print(
                f"round {number + 1}: {NORMAL_UPLOADS} photos at once: p50 {p50s[-1]:.2f} s, "
                f"p95 {p95s[-1]:.2f} s"
            )
    finally:
        stop_service(service, tmp / "app-state")
    print(f"\napp code: {args.app_dir}")
    print(f"app RSS idle:                                   {idle / MB:6.0f} MB")
    print(f"peak RSS, {LARGE_UPLOADS} × 12000×12000 PNG at once (median): ", end="")
    print(f"{statistics.median(peaks):6.0f} MB   goal ≤ 1500 MB")
    print(f"peak RSS, {LARGE_UPLOADS} × 6300×6300 PNG at once (median):   ", end="")
    print(f"{statistics.median(accepted_peaks):6.0f} MB   goal ≤ 1500 MB")
    photos = f"{NORMAL_UPLOADS} concurrent 1600×1200 JPEGs"
    print(f"{photos}, p50 (median): {statistics.median(p50s):.2f} s")
    print(f"{photos}, p95 (median): {statistics.median(p95s):.2f} s")


def time_stop(state: Path, mlflow_url: str, train_dir: Path, epochs: int, ready_line: str) -> float:
    """Start a service, trigger a run, SIGTERM it at `ready_line`; seconds to its exit."""
    service: Service = start_training_service(
        state,
        mlflow_uri=mlflow_url,
        port=free_port(),
        env={"TRIGGER_TOKEN": ""},
        train_dir=train_dir,
        reuse=False,
    )
    try:
        answer = trigger_in_background(service, epochs)
        wait_for_line(service, ready_line, timeout_s=300)
        os.kill(service.pid, signal.SIGTERM)
        seconds = wait_for_exit(service, timeout_s=300)
        print(f"  answer {answer.result(timeout=60).status_code}, exit after {seconds:.2f} s")
        return seconds
    finally:
        stop_service(service, state)


def bench_stop(args: argparse.Namespace, tmp: Path) -> None:
    """SIGTERM → exit, mid-training and once registration has begun."""
    mlflow = start_mlflow_server(tmp, port=free_port(), reuse=False)
    cases: dict[str, Callable[[], float]] = {
        "mid-training (epoch 2 of 200)": lambda: time_stop(
            tmp, mlflow.url, args.train_dir, 200, r"epoch 2/200"
        ),
        "once registering": lambda: time_stop(
            tmp, mlflow.url, args.train_dir, 5, args.registering_line
        ),
    }
    results = {}
    try:
        for name, measure in cases.items():
            print(f"SIGTERM {name}:")
            results[name] = [measure() for _ in range(args.stops)]
    finally:
        stop_service(mlflow, tmp)
    print(f"\ntraining service code: {args.train_dir}")
    for name, seconds in results.items():
        print(f"SIGTERM → exit, {name} (median of {len(seconds)}): ", end="")
        print(f"{statistics.median(seconds):.2f} s   goal ≤ 10 s")


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--stops", type=int, default=3)
    parser.add_argument("--app-dir", type=Path, default=ROOT / "app")
    parser.add_argument("--train-dir", type=Path, default=ROOT / "train")
    parser.add_argument(
        "--registering-line",
        default=r"registering the model",
        help="the log line after which SIGTERM finds the run registering (older code has "
        "none: use r'epoch 5/5', the last line before it)",
    )
    parser.add_argument("--skip-app", action="store_true")
    parser.add_argument("--skip-stop", action="store_true")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench-reliability-") as tmp:
        if not args.skip_app:
            bench_app(args, Path(tmp))
        if not args.skip_stop:
            bench_stop(args, Path(tmp))


if __name__ == "__main__":
    main()
