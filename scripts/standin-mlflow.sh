#!/usr/bin/env bash
# The course cluster's MLflow server version (ghcr.io/mlflow/mlflow:v3.9.0), in a venv of
# its own, for `make test-chameleon`: our pinned 3.17.2 clients are tested against it there.
set -euo pipefail
cd "$(dirname "$0")/.."
venv=${MLFLOW39_VENV:-.venv-mlflow39}
if [ -x "$venv/bin/mlflow" ] && "$venv/bin/python" -c 'import mlflow, sys; sys.exit(mlflow.__version__ != "3.9.0")'; then
  exit 0
fi
echo "standin-mlflow: installing mlflow==3.9.0 into $venv (the course cluster's server version)" >&2
python3 -m venv "$venv"
"$venv/bin/pip" install -qq mlflow==3.9.0
