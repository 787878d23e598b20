"""The stage diagram fits a notebook column, with labels a student can read, in a real browser."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SVG = ROOT / "images" / "stage1-build.svg"
MAX_WIDTH_PT = 960
WINDOW_PX = 960  # a notebook on a laptop screen: the cell column is about 860 px wide
MIN_LABEL_PX = 12  # the smallest text as the student sees it
PX_PER_PT = 4 / 3
# A markdown cell as Jupyter shows it: a prompt column on the left, images no wider than the
# cell (`max-width: 100%`). The script writes the image's shown and natural widths.
PAGE = """<!doctype html>
<html><head><meta charset="utf-8"><style>
body { margin: 0; }
.cell { margin: 0 16px 0 80px; }
.cell img { max-width: 100%; height: auto; }
</style></head><body>
<div class="cell"><img id="diagram" src="SRC"></div><pre id="out"></pre>
<script>
window.addEventListener("load", () => {
  const img = document.getElementById("diagram");
  document.getElementById("out").textContent = `${img.width} ${img.naturalWidth}`;
});
</script></body></html>
"""


def svg_width_pt(svg: str) -> float:
    """The width the SVG asks for, in points (Graphviz writes width="NNNpt")."""
    match = re.search(r'<svg\s+width="([\d.]+)pt"', svg)
    assert match, "the diagram's <svg> has no width in pt"
    return float(match[1])


def smallest_font_pt(svg: str) -> float:
    """The smallest font size in the SVG, in points (Graphviz's user unit is the point)."""
    sizes = [float(size) for size in re.findall(r'font-size="([\d.]+)"', svg)]
    assert sizes, "the diagram has no text"
    return min(sizes)


def test_diagram_is_at_most_960_pt_wide_with_labels_of_11_pt() -> None:
    svg = SVG.read_text(encoding="utf-8")
    assert svg_width_pt(svg) <= MAX_WIDTH_PT
    assert smallest_font_pt(svg) >= 11


def test_labels_are_readable_in_a_notebook_column_in_chromium() -> None:
    browser = os.environ.get("CHROMIUM") or shutil.which("chromium")  # as tests/browser/
    if not browser or not Path(browser).is_file():
        pytest.skip("no Chromium: `make setup` as root installs Debian's, or set CHROMIUM")
    svg = SVG.read_text(encoding="utf-8")
    with tempfile.TemporaryDirectory(prefix="diagram-") as tmp:
        page = Path(tmp) / "cell.html"
        page.write_text(PAGE.replace("SRC", SVG.as_uri()), encoding="utf-8")
        # fmt: off
        done = subprocess.run(
            [browser, "--headless", "--no-sandbox", "--disable-gpu",
             "--disable-background-networking", "--disable-component-update", "--disable-sync",
             "--no-first-run", f"--user-data-dir={tmp}/profile",
             f"--window-size={WINDOW_PX},1200", "--dump-dom", page.as_uri()],
            capture_output=True, text=True, timeout=120, check=True,
        )
        # fmt: on
    match = re.search(r'<pre id="out">(\d+) (\d+)</pre>', done.stdout)
    assert match, f"the page did not report the image's size: {done.stdout[-500:]}"
    shown, natural = int(match[1]), int(match[2])
    assert abs(natural - svg_width_pt(svg) * PX_PER_PT) <= 1  # the browser read the diagram
    smallest_px = smallest_font_pt(svg) * PX_PER_PT * shown / natural
    assert smallest_px >= MIN_LABEL_PX, f"labels shrink to {smallest_px:.1f} px"
