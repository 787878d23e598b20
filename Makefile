# Entry points: `make lab` (the main job) and `make test` (everything CI checks).
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.setup-stamp

.PHONY: setup lab notebooks test lint bench clean

setup: $(STAMP)

$(STAMP): scripts/setup.sh requirements.txt train/requirements.txt app/requirements.txt constraints.txt pyproject.toml
	VENV=$(VENV) bash scripts/setup.sh
	touch $(STAMP)

# Main job: build the notebooks and pictures, then check them.
lab: setup
	$(PY) build_notebooks.py
	$(PY) -m lab.workflows check workflows/
	$(PY) build_notebooks.py --check

notebooks: setup
	$(PY) build_notebooks.py

lint: setup
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

test: setup lint
	$(PY) build_notebooks.py --check
	$(PY) -m lab.workflows check workflows/
	$(PY) -m pytest

bench: setup
	$(PY) bench/bench_build.py
	$(PY) bench/bench_train.py

clean:
	rm -rf .lab
