"""``sitecustomize`` of a rehearsed step: its Python sees only the packages its image has.

Copied into the step's PYTHONPATH as ``sitecustomize.py``. Outside a rehearsed step
(``LAB_REHEARSAL_POD`` unset) it does nothing. Inside, this environment's site-packages
leave ``sys.path`` and the pod's ``site-packages`` (links to the image's distributions,
plus what the step's ``pip install`` lines added) takes their place; so ``import torch``
fails, and ``importlib.util.find_spec`` answers None, as in an image without torch. An
uncaught ModuleNotFoundError for a module this machine has gets a line saying why.
"""

from __future__ import annotations

import json
import os
import site
import sys
from pathlib import Path

_POD = os.environ.get("LAB_REHEARSAL_POD")
_OWNERS = Path(__file__).resolve().parent / "module-owners.json"


def _hide_site_packages(pod: Path) -> None:
    """Swap this environment's site-packages on ``sys.path`` for the pod's."""
    hidden = {os.path.realpath(p) for p in [*site.getsitepackages(), site.getusersitepackages()]}
    sys.path[:] = [p for p in sys.path if os.path.realpath(p or ".") not in hidden]
    sys.path.append(str(pod / "site-packages"))


def _explain(kind, error, trace) -> None:
    """Say why a module this machine has is missing in the step, then report as usual."""
    _default_hook(kind, error, trace)
    if isinstance(error, ModuleNotFoundError) and error.name and _OWNERS.is_file():
        owners = json.loads(_OWNERS.read_text()).get(error.name.partition(".")[0])
        if owners:
            print(
                f"rehearsal: this machine has {owners[0]}, but the step's image does not "
                f"(on the cluster this import fails too): use an image that has it, or add "
                f"`pip install {owners[0]}==VERSION` to the step",
                file=sys.stderr,
            )


if _POD:
    _hide_site_packages(Path(_POD))
    _default_hook = sys.excepthook
    sys.excepthook = _explain
