"""Workflow run records, the neutral room every target writes and the notebooks read.

``lab.runs.records`` holds the records and phases; ``lab.runs.store`` saves and loads them.
"""

from lab.runs.store import load_runs, run_from_dict, run_to_dict, save_run

__all__ = ["load_runs", "run_from_dict", "run_to_dict", "save_run"]
