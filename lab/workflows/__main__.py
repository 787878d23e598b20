"""``python -m lab.workflows``: the workflow checker's command line."""

from lab.workflows.cli import main

raise SystemExit(main())
