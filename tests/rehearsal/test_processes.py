"""A step's process: logged, its stdout kept, and everything it started stopped with it."""

from __future__ import annotations

from pathlib import Path

from lab.rehearsal.processes import MAX_RESULT, NodeLog, run_process, trim_output


def test_output_is_logged_and_stdout_kept(tmp_path: Path) -> None:
    log = NodeLog(tmp_path / "n.log")
    code, out = run_process(["/bin/sh", "-c", "echo out; echo err >&2; exit 4"],
                            cwd=tmp_path, env={}, log=log, timeout=30)  # fmt: skip
    assert (code, out) == (4, "out\n")
    assert set(log.path.read_text().split()) == {"out", "err"}


def test_a_timeout_stops_the_whole_session(tmp_path: Path) -> None:
    log = NodeLog(tmp_path / "n.log")
    code, _ = run_process(["/bin/sh", "-c", "sleep 30 & echo $! > pid; wait"],
                          cwd=tmp_path, env={}, log=log, timeout=0.5)  # fmt: skip
    assert code is None
    pid = int((tmp_path / "pid").read_text())
    assert not Path(f"/proc/{pid}").exists() or "Z" in Path(f"/proc/{pid}/stat").read_text()


def test_results_drop_one_newline_and_keep_the_last_256_kb() -> None:
    assert trim_output("a\n\n") == "a\n"
    big = "x" * (MAX_RESULT + 10)
    assert len(trim_output(big)) == MAX_RESULT
