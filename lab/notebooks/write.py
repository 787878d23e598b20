"""Write outputs atomically, only when their bytes change, and say which ones are stale."""

from __future__ import annotations

import os
from pathlib import Path

from lab.notebooks.errors import OutputError


def atomic_write(path: Path, data: bytes) -> None:
    """Write `data` to `path` through a temporary file and a rename, so readers never see half.

    Raises:
        OutputError: in one line, naming the path and the reason; no file is left behind.
    """
    try:
        _atomic_write(path, data)
    except (FileExistsError, NotADirectoryError):  # from mkdir: a "folder" is a file
        raise OutputError(str(path), "cannot write it: a folder on its path is a file") from None
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise OutputError(str(path), f"cannot write it: {reason}") from None


def _atomic_write(path: Path, data: bytes) -> None:
    """atomic_write's work, raising what the file system raises."""
    import tempfile  # here: checking and no-change builds write nothing

    path.parent.mkdir(parents=True, exist_ok=True)
    mode = path.stat().st_mode & 0o777 if path.exists() else 0o644
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
        os.chmod(tmp, mode)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def stale_outputs(outputs: dict[Path, bytes]) -> list[tuple[Path, str]]:
    """The outputs whose file is missing ('missing') or holds other bytes ('stale')."""
    found = []
    for path, data in outputs.items():
        if not path.is_file():
            found.append((path, "missing"))
            continue
        try:
            if path.read_bytes() != data:
                found.append((path, "stale"))
        except OSError as exc:
            raise OutputError(str(path), f"cannot read it: {exc.strerror or exc}") from None
    return found


def write_outputs(outputs: dict[Path, bytes]) -> list[Path]:
    """Write the outputs that are missing or stale; return the paths written."""
    changed = [path for path, _ in stale_outputs(outputs)]
    for path in changed:
        atomic_write(path, outputs[path])
    return changed
