"""Time the training service: trigger → registered version, first after start and warm; RSS; size.

Usage: python bench/bench_train.py [--starts 5] [--warm 5] [--venv DIR] [--fresh] [--python PY]
                                   [--train-dir DIR] [--against DIR]

Installs train/requirements.txt into a fresh venv under /tmp (as the image does; reused when
it exists unless --fresh) and reports its size. Then, against a lean local MLflow server,
starts the service `--starts` times with that venv's Python, timing start → ready (its
`Uvicorn running on` line and /health), and the first trigger; then `--warm` more triggers on
the last start. Peak RSS is sampled for the service alone and with its children (Prefect's
server). --python runs the service with another interpreter instead (e.g. .venv/bin/python);
--train-dir runs another copy of train/. --against DIR also starts the service from another
copy of train/ (e.g. the last commit's) beside the last start and alternates the warm
triggers between the two, so that before and after meet the same load on a shared machine.
Prints medians. Goals: warm ≤ 3 s, first ≤ 10 s, RSS ≤ 800 MB, installed ≤ 1.1 GB.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from lab.services import (  # noqa: E402
    Service,
    free_port,
    start_mlflow_server,
    start_training_service,
    stop_service,
)

MB = 1_000_000
INSTALL_TIMEOUT_S = 1800


def tree_bytes(root: Path, pattern: str = "*") -> int:
    """Apparent size of the files under root matching pattern."""
    return sum(p.stat().st_size for p in root.rglob(pattern) if p.is_file() and not p.is_symlink())


def ensure_venv(venv: Path, fresh: bool) -> float | None:
    """Create venv with train/requirements.txt installed; return the install's seconds."""
    python = venv / "bin" / "python"
    if python.exists() and not fresh:
        return None
    subprocess.run([sys.executable, "-m", "venv", "--clear", str(venv)], check=True, timeout=120)
    start = time.perf_counter()
    subprocess.run(
        [str(python), "-m", "pip", "install", "-q",
         "-c", str(ROOT / "constraints.txt"), "-r", str(ROOT / "train" / "requirements.txt")],
        check=True, timeout=INSTALL_TIMEOUT_S,
    )  # fmt: skip
    return time.perf_counter() - start


def installed_sizes(venv: Path) -> dict[str, float]:
    """MB of the venv's site-packages: all, .pyc, torch, and the tools a venv starts with."""
    site = next((venv / "lib").glob("python3*/site-packages"))
    tools = sum(tree_bytes(p) for p in site.iterdir() if p.name.startswith(("pip", "setuptools")))
    return {
        "site-packages": tree_bytes(site) / MB,
        "of which .pyc": tree_bytes(site, "*.pyc") / MB,
        "of which torch": tree_bytes(site / "torch") / MB,
        "of which pip+setuptools": tools / MB,
    }


class RssSampler:
    """Samples peak RSS of a process alone and with all its descendants, in a thread."""

    def __init__(self, pid: int) -> None:
        self.process = psutil.Process(pid)
        self.own = 0
        self.total = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                own = self.process.memory_info().rss
                children = self.process.children(recursive=True)
                total = own + sum(child.memory_info().rss for child in children)
            except psutil.Error:
                return
            self.own, self.total = max(self.own, own), max(self.total, total)
            time.sleep(0.05)

    def __enter__(self) -> RssSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


def trigger(service: Service) -> float:
    """Seconds from POST /trigger-training to the answer naming the new version."""
    start = time.perf_counter()
    response = httpx.post(f"{service.url}/trigger-training", timeout=300)
    elapsed = time.perf_counter() - start
    response.raise_for_status()
    if response.json()["new_model_version"] is None:
        raise RuntimeError(f"the run failed the gate: {response.text}")
    return elapsed


def alternate(
    service: Service,
    warm: list[float],
    args: argparse.Namespace,
    python: Path,
    mlflow_url: str,
    state: Path,
) -> list[float]:
    """Start the --against service, trigger the two in turn; its warm times, ours into warm."""
    other_state = state / "against"
    other_state.mkdir()
    other = start_training_service(
        other_state,
        mlflow_uri=mlflow_url,
        port=free_port(),
        python=python,
        train_dir=args.against,
        reuse=False,
    )
    try:
        trigger(other)  # its first trigger: not a warm one
        times = []
        for _ in range(args.warm):
            warm.append(trigger(service))
            times.append(trigger(other))
        return times
    finally:
        stop_service(other, other_state)


def main() -> None:
    """Run the measurements and print them."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--starts", type=int, default=5)
    parser.add_argument("--warm", type=int, default=5)
    parser.add_argument("--venv", type=Path, default=Path("/tmp/gourmetgram-train-bench-venv"))
    parser.add_argument("--fresh", action="store_true", help="re-create the venv")
    parser.add_argument("--python", type=Path, help="run the service with this interpreter")
    parser.add_argument("--train-dir", type=Path, help="run the service from this train/ folder")
    parser.add_argument(
        "--against", type=Path, help="alternate warm triggers with the service from this train/"
    )
    args = parser.parse_args()

    install_s = ensure_venv(args.venv, args.fresh)
    sizes = installed_sizes(args.venv)
    python = args.python or args.venv / "bin" / "python"

    ready, first, warm, rss_own, rss_all = [], [], [], [], []
    warm_against: list[float] = []
    with tempfile.TemporaryDirectory(prefix="bench-train-") as tmp:
        state = Path(tmp)
        mlflow = start_mlflow_server(state, port=free_port(), reuse=False)
        try:
            for number in range(args.starts):
                start = time.perf_counter()
                service = start_training_service(
                    state,
                    mlflow_uri=mlflow.url,
                    port=free_port(),
                    python=python,
                    train_dir=args.train_dir,
                    reuse=False,
                )
                ready.append(time.perf_counter() - start)
                try:
                    with RssSampler(service.pid) as rss:
                        first.append(trigger(service))
                        if number == args.starts - 1 and args.against:
                            warm_against = alternate(service, warm, args, python, mlflow.url, state)
                        elif number == args.starts - 1:
                            warm.extend(trigger(service) for _ in range(args.warm))
                    rss_own.append(rss.own / MB)
                    rss_all.append(rss.total / MB)
                finally:
                    stop_service(service, state)
                print(f"start {number + 1}: ready {ready[-1]:.1f} s, first {first[-1]:.2f} s")
        finally:
            stop_service(mlflow, state)

    def median(values: list[float]) -> str:
        return f"{statistics.median(values):.2f}" if values else "-"

    print(f"\nservice Python: {python}")
    print(f"service code: {args.train_dir or ROOT / 'train'}")
    print(f"start → ready (median of {len(ready)}):     {median(ready)} s")
    print(f"first trigger → version (median of {len(first)}): {median(first)} s   goal ≤ 10 s")
    print(f"warm trigger → version (median of {len(warm)}):  {median(warm)} s   goal ≤ 3 s")
    print(f"  warm runs: {', '.join(f'{v:.2f}' for v in warm)}")
    if args.against:
        print(f"warm, alternating with {args.against} (median of {len(warm_against)}): ", end="")
        print(f"{median(warm_against)} s")
        print(f"  warm runs: {', '.join(f'{v:.2f}' for v in warm_against)}")
    print(f"peak RSS, service alone:         {max(rss_own):.0f} MB")
    print(f"peak RSS, service + children:    {max(rss_all):.0f} MB   goal ≤ 800 MB")
    if install_s is not None:
        print(f"pip install of train/requirements.txt: {install_s:.0f} s")
    print(f"installed ({args.venv}):")
    for name, value in sizes.items():
        print(f"  {name:<24} {value:7.0f} MB")
    alone = sizes["site-packages"] - sizes["of which pip+setuptools"]
    print(f"  {'requirements alone':<24} {alone:7.0f} MB   goal ≤ 1100 MB")


if __name__ == "__main__":
    main()
