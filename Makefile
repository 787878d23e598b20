# Entry points: `make lab` (the main job) and `make test` (everything CI checks).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp

.PHONY: setup docker-engine lab notebooks jupyter test lint unit notebook-checks test-browser test-chameleon bench stop clean

setup: $(STAMP)

$(STAMP): scripts/setup.sh requirements.txt requirements-jupyter.txt train/requirements.txt app/requirements.txt constraints.txt pyproject.toml
	VENV=$(VENV) bash scripts/setup.sh
	touch $(STAMP)

# The local target's Docker mode needs a running engine: start dockerd if none answers
# (as root; otherwise, and without Docker, the lab runs in process mode).
docker-engine:
	@bash scripts/start-dockerd.sh

# Main job: build notebooks and pictures, check the workflows, then run all three
# notebooks with papermill against the local target (executed copies in .lab/executed/).
lab: setup docker-engine
	$(PY) build_notebooks.py
	$(PY) -m lab.workflows check --strict workflows/
	$(PY) -m lab run-notebooks

notebooks: setup
	$(PY) build_notebooks.py

# JupyterLab on the course (notebooks/) on a free loopback port; prints the address.
jupyter: setup
	$(PY) -m lab.jupyter

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

unit: setup docker-engine
	$(PY) build_notebooks.py --check
	$(PY) -m lab.workflows check --strict workflows/
	$(PY) -m pytest

# papermill runs the notebooks end to end, then nbval runs them again cell by cell, both
# with the kernelspec the notebooks name (the project's: over IPC, see lab/kernels.py);
# the local services are stopped whatever happened.
notebook-checks: setup docker-engine
	@status=0; \
	$(PY) -m lab run-notebooks --keep || status=1; \
	$(PY) -m pytest --nbval-lax notebooks/ || status=1; \
	$(PY) -m lab stop; \
	exit $$status

# The notebooks in JupyterLab in headless Chromium, with widgets; screenshots in
# .lab/screenshots/. The local services are stopped afterwards.
test-browser: setup docker-engine
	$(PY) -m pytest -m browser tests/browser

# The chameleon target end to end, this machine standing in for the course cluster (root):
# node1 = an sshd with user cc and this machine's Docker, MLflow 3.9.0, a stand-in Argo
# Server serving the rehearsal behind v3.6.5's REST API (tests/chameleon/).
test-chameleon: setup docker-engine
	bash scripts/standin-mlflow.sh
	LAB_CHAMELEON_E2E=1 $(PY) -m pytest -v -s tests/chameleon/

test: lint unit notebook-checks test-browser test-chameleon

bench: setup
	$(PY) bench/bench_build.py
	$(PY) bench/bench_train.py
	$(PY) bench/bench_images.py
	$(PY) bench/bench_reliability.py
	$(PY) bench/bench_lab.py
	$(PY) bench/bench_lab.py --mode docker

stop: setup
	$(PY) -m lab stop

clean: stop
	rm -rf .lab
