# Entry points: `make lab` (the main job) and `make test` (everything CI checks).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp

.PHONY: setup lab notebooks jupyter test lint unit notebook-checks test-browser bench stop clean

setup: $(STAMP)

$(STAMP): scripts/setup.sh requirements.txt train/requirements.txt app/requirements.txt constraints.txt pyproject.toml
	VENV=$(VENV) bash scripts/setup.sh
	touch $(STAMP)

# Main job: build notebooks and pictures, check the workflows, then run all three
# notebooks with papermill against the local target (executed copies in .lab/executed/).
lab: setup
	$(PY) build_notebooks.py
	$(PY) -m lab.workflows check workflows/
	$(PY) -m lab run-notebooks

notebooks: setup
	$(PY) build_notebooks.py

# JupyterLab on the course (notebooks/) on a free loopback port; prints the address.
jupyter: setup
	$(PY) -m lab.jupyter

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

unit: setup
	$(PY) build_notebooks.py --check
	$(PY) -m lab.workflows check workflows/
	$(PY) -m pytest

# papermill runs the notebooks end to end, then nbval runs them again cell by cell, both
# with the kernelspec the notebooks name (the project's: over IPC, see lab/kernels.py);
# the local services are stopped whatever happened.
notebook-checks: setup
	@status=0; \
	$(PY) -m lab run-notebooks --keep || status=1; \
	$(PY) -m pytest --nbval-lax notebooks/ || status=1; \
	$(PY) -m lab stop; \
	exit $$status

# The notebooks in JupyterLab in headless Chromium, with widgets; screenshots in
# .lab/screenshots/. The local services are stopped afterwards.
test-browser: setup
	$(PY) -m pytest -m browser tests/browser

test: lint unit notebook-checks test-browser

bench: setup
	$(PY) bench/bench_build.py
	$(PY) bench/bench_train.py
	$(PY) bench/bench_lab.py

stop: setup
	$(PY) -m lab stop

clean: stop
	rm -rf .lab
