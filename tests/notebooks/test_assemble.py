"""Tests for assembling notebooks as plain dicts and writing them byte for byte as nbformat does."""

from __future__ import annotations

import nbformat
import pytest

from lab.notebooks.assemble import CellSpec, assemble, serialise

KERNEL = {"kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"}}


def notebook(**metadata: object) -> list[CellSpec]:
    """Cells of every kind, with sources that test line splitting and non-ASCII text."""
    return [
        CellSpec("markdown", "# Café ☕\n\nTwo lines\r\nand a CR\rend", "t.md:1"),
        CellSpec("code", "print('x')\n", "t.md:5", {"tags": ["parameters"], **metadata}, "x"),
        CellSpec("code", "", "t.md:9", execution_count=3),
        CellSpec("raw", "<b>raw</b>\n\n", "t.md:12", {"raw_mimetype": "text/html"}),
        CellSpec("markdown", "line\u2028separator and form\x0cfeed", "t.md:15"),
    ]


@pytest.mark.parametrize(
    ("cell_metadata", "notebook_metadata"),
    [
        ({}, KERNEL),
        ({"trusted": True}, {**KERNEL, "signature": "sha256:x", "orig_nbformat": 3}),
    ],
    ids=["plain", "transient-keys-dropped"],
)
def test_the_bytes_are_what_nbformat_writes(cell_metadata, notebook_metadata) -> None:
    nb = assemble("t", notebook(**cell_metadata), notebook_metadata)
    expected = nbformat.writes(nbformat.from_dict(nb), version=nbformat.NO_CONVERT) + "\n"
    assert serialise(nb) == expected.encode("utf-8")
    written = nbformat.reads(serialise(nb).decode("utf-8"), as_version=nbformat.NO_CONVERT)
    nbformat.validate(written)
    assert [cell.source for cell in written.cells] == [cell.source for cell in notebook()]


def test_serialising_leaves_the_notebook_as_it_was() -> None:
    nb = assemble("t", notebook(trusted=True), {**KERNEL, "signature": "x"})
    before = repr(nb)
    serialise(nb)
    assert repr(nb) == before
