"""Build notebooks/*.ipynb, index.md and the pictures from snippets/ (see lab/notebooks)."""

import sys
from pathlib import Path

from lab.notebooks.cli import main

if __name__ == "__main__":
    sys.exit(main(root=Path(__file__).resolve().parent))
