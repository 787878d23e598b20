"""Benchmark the main job cold: all three notebooks, nothing running before, fresh state.

Prints the wall time of `python -m lab run-notebooks` and the peak of the summed memory of
every process it started (kernels, MLflow, the training service, Prefect, the app), sampled
every 0.2 s (``--sample-s``; 0 times the run alone), as RSS and as PSS (shared pages split
between the processes that share them).
This process makes itself a child subreaper, so services whose kernel has exited stay in
its process tree and are counted. Goals: <= 30 s wall (Docker mode: <= 60 s), <= 1.5 GB
peak PSS. It also prints the median wall time of each workflow step, from the run records
the rehearsal wrote (started to finished of each step node, retries included).

``--mode`` picks the local target's mode (LAB_LOCAL_MODE): ``process`` (the default here, as
the goals were set for it) or ``docker``. In Docker mode the images are built once before
the timed runs (so the runs use cached images, as `make lab` does after the first time), and
the memory counted is this process tree's only: containers run under the Docker engine.
Each run's state is fresh, but by default the local registry's storage is kept across the
runs (LAB_REGISTRY_DATA, as the cluster's registry outlives a run), so a run pushes only the
app image's new layers; ``--fresh-registry`` gives each run an empty registry instead (the
first push then sends the whole ~1 GB image).

"From nothing" means no service running and a fresh state folder; the set-up products stay,
as an image's layers do: the virtual environment and the empty databases that setup
migrates into it (lab/db_templates.py: Prefect's and MLflow's), which a fresh state copies.

``--against DIR --against-python PY`` also runs another checkout (say the last release's, in
a git worktree, with its own environment) and alternates the runs between the two, so that
both meet the same load on a shared machine; it prints both medians and their ratio.

    .venv/bin/python bench/bench_lab.py [--repeat N] [--mode process|docker] [--fresh-registry]
                                        [--against DIR --against-python PY] [--sample-s S]
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

import psutil

ROOT = Path(__file__).resolve().parent.parent
PR_SET_CHILD_SUBREAPER = 36
#: Reading every process's PSS costs about 30 ms of CPU here: every 0.2 s, a sixth of a core
#: taken from the run it measures. Not less often: the app of a build check adds its 40 MiB
#: to the peak for only 0.3-0.5 s. ``--sample-s 0`` times a run without sampling.
SAMPLE_S = 0.2


def tree_memory(proc: psutil.Process) -> tuple[int, int]:
    """Summed RSS and PSS in bytes of every descendant of proc (not proc itself).

    RSS counts shared pages (libpython, torch's libraries) once per process; PSS splits
    them between the processes that share them, so its sum is what they use together.
    """
    rss = pss = 0
    for child in proc.children(recursive=True):
        with contextlib.suppress(psutil.Error):  # it may have exited meanwhile
            info = child.memory_full_info()
            rss += info.rss
            pss += info.pss
    return rss, pss


def step_times(runs_dir: Path) -> dict[str, list[float]]:
    """``template/step`` -> wall seconds of each run of that step, from the run records."""
    sys.path.insert(0, str(ROOT))
    from lab.runs import load_runs

    times: dict[str, list[float]] = defaultdict(list)
    for run in load_runs(runs_dir) if runs_dir.is_dir() else []:
        for node in run.nodes:
            if node.type in ("Pod", "Resource") and node.started and node.finished:
                seconds = (node.finished - node.started).total_seconds()
                times[f"{run.template}/{node.name}"].append(seconds)
    return times


def cold_run(
    mode: str,
    steps: dict[str, list[float]],
    registry_data: str | None = None,
    root: Path = ROOT,
    python: str = sys.executable,
    sample_s: float = SAMPLE_S,
) -> tuple[float, int, int, int]:
    """One cold run in a fresh state folder: (wall s, peak RSS, peak PSS, exit status).

    Memory is sampled every ``sample_s`` seconds; with 0, not at all (the peaks are 0).

    Adds the wall time of every workflow step it ran to ``steps``. ``registry_data``, when
    given, is the local registry's storage (kept between runs); otherwise it is in the state.
    ``root`` and ``python`` are the checkout and the interpreter that run the lab.
    """
    me = psutil.Process()
    with tempfile.TemporaryDirectory(prefix="bench-lab-") as state:
        env = {**os.environ, "LAB_STATE_DIR": state, "LAB_LOCAL_MODE": mode}
        env.pop("LAB_REGISTRY_DATA", None)
        if registry_data:
            env["LAB_REGISTRY_DATA"] = registry_data
        log = Path(state) / "bench.log"
        start = time.monotonic()
        with log.open("w") as out:
            job = subprocess.Popen(
                [python, "-m", "lab", "run-notebooks"],
                cwd=root,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        peak_rss = peak_pss = 0
        while sample_s and job.poll() is None:
            rss, pss = tree_memory(me)
            peak_rss, peak_pss = max(peak_rss, rss), max(peak_pss, pss)
            time.sleep(sample_s)
        job.wait()
        wall = time.monotonic() - start
        output = log.read_text()
        for name, seconds in step_times(Path(state) / "runs").items():
            steps[name] += seconds
        for orphan in me.children(recursive=True):  # the job stops its services; be sure
            with contextlib.suppress(psutil.Error):
                orphan.kill()
    print(output.strip().splitlines()[-1] if output.strip() else "(no output)")
    if job.returncode != 0:
        print(output)
    return wall, peak_rss, peak_pss, job.returncode


def main() -> int:
    """Run the cold benchmark and print medians."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--mode", choices=("process", "docker"), default="process")
    parser.add_argument(
        "--fresh-registry", action="store_true", help="docker mode: an empty registry each run"
    )
    parser.add_argument("--against", type=Path, help="another checkout, run alternately")
    parser.add_argument("--against-python", help="the Python of --against's environment")
    parser.add_argument(
        "--sample-s", type=float, default=SAMPLE_S, help="memory sampling period; 0: none"
    )
    args = parser.parse_args()
    if bool(args.against) != bool(args.against_python):
        parser.error("--against and --against-python go together")
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0:
        print("warning: could not become a subreaper; orphaned services are not counted")
    subprocess.run([sys.executable, "-m", "lab", "stop"], cwd=ROOT, check=False, timeout=120)
    registry_data = None
    if args.mode == "docker" and not args.fresh_registry:  # one registry for all the runs
        kept = tempfile.TemporaryDirectory(prefix="bench-lab-registry-")
        registry_data = kept.name
    if args.mode == "docker":  # images cached first: the timed runs measure the lab, not pip
        print("warm-up run (builds or reuses the images)")
        cold_run(args.mode, defaultdict(list), registry_data)
        print(f"registry: {'empty each run' if args.fresh_registry else 'kept between runs'}")
    walls, rss_peaks, pss_peaks, baseline = [], [], [], []
    steps: dict[str, list[float]] = defaultdict(list)
    for i in range(args.repeat):
        if args.against:  # the baseline first, then this checkout: the same load for both
            wall, _, pss, status = cold_run(
                args.mode,
                defaultdict(list),
                registry_data,
                args.against,
                args.against_python,
                args.sample_s,
            )
            memory = f"PSS {pss / 2**30:.2f} GiB" if args.sample_s else "memory not sampled"
            print(f"baseline run {i + 1}: wall {wall:.1f} s, {memory}, exit {status}")
            if status != 0:
                return status
            baseline.append(wall)
        wall, rss, pss, status = cold_run(args.mode, steps, registry_data, sample_s=args.sample_s)
        memory = (
            f"peak RSS {rss / 2**30:.2f} GiB (PSS {pss / 2**30:.2f} GiB)"
            if args.sample_s
            else "memory not sampled"
        )
        print(f"run {i + 1}: wall {wall:.1f} s, {memory}, exit {status}")
        if status != 0:
            return status
        walls.append(wall)
        rss_peaks.append(rss)
        pss_peaks.append(pss)
    print("workflow steps (median wall time over every run of the step):")
    for name, seconds in sorted(steps.items()):
        print(f"  {name:<45} {statistics.median(seconds):6.2f} s  (n={len(seconds)})")
    if baseline:
        print(
            f"baseline {args.against}, median of {args.repeat}: wall "
            f"{statistics.median(baseline):.1f} s; this checkout / baseline = "
            f"{statistics.median(walls) / statistics.median(baseline):.2f}"
        )
    goal_s = 30 if args.mode == "process" else 60
    memory = (
        f"peak RSS {statistics.median(rss_peaks) / 2**30:.2f} GiB, "
        f"peak PSS {statistics.median(pss_peaks) / 2**30:.2f} GiB (goal <= 1.5 GB)"
        if args.sample_s
        else "memory not sampled (--sample-s 0)"
    )
    print(
        f"{args.mode} mode, median of {args.repeat}: "
        f"wall {statistics.median(walls):.1f} s (goal <= {goal_s} s), {memory}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
