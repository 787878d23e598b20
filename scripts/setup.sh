#!/usr/bin/env bash
# Set up this machine for the lab and its tests: system tools, then a pinned virtual env.
# Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

venv=${VENV:-.venv}
need_apt=()
command -v pandoc >/dev/null || need_apt+=(pandoc)
command -v dot >/dev/null || need_apt+=(graphviz)
command -v shellcheck >/dev/null || need_apt+=(shellcheck)
command -v git >/dev/null || need_apt+=(git)
# Docker mode of the local target (optional: without them the lab runs in process mode):
# the engine (Debian's docker.io; `dockerd` is the test, since a newer docker CLI may be
# installed without an engine), the local image registry, and mmdebstrap for the stand-in
# base image where Docker Hub cannot be reached.
want_apt=()
command -v dockerd >/dev/null || want_apt+=(docker.io)
[ -x /usr/bin/docker-registry ] || want_apt+=(docker-registry)
command -v mmdebstrap >/dev/null || want_apt+=(mmdebstrap)
if [ "$(id -u)" -eq 0 ]; then
  need_apt+=("${want_apt[@]}")
elif [ ${#want_apt[@]} -gt 0 ]; then
  echo "setup: for Docker mode, run: sudo apt-get install -y ${want_apt[*]} (until then: process mode)" >&2
fi
# the browser test drives Debian's Chromium; Playwright downloads no browser of its own
[ -x /usr/bin/chromium ] || need_apt+=(chromium)
if [ ${#need_apt[@]} -gt 0 ]; then
  if [ "$(id -u)" -eq 0 ]; then
    echo "setup: installing ${need_apt[*]} from Debian" >&2
    apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_apt[@]}" >/dev/null
  else
    echo "setup: missing ${need_apt[*]}; run: sudo apt-get install -y ${need_apt[*]}" >&2
    exit 1
  fi
fi
bash scripts/start-dockerd.sh

if [ ! -x "$venv/bin/python" ]; then
  echo "setup: creating $venv" >&2
  python3.11 -m venv "$venv" 2>/dev/null || python3 -m venv "$venv"
fi
"$venv/bin/python" - <<'PY'
import sys
if sys.version_info[:2] != (3, 11):
    sys.exit(f"setup: the lab needs Python 3.11, this venv has {sys.version.split()[0]}")
PY
# constraints.txt pins torch to the CPU build, so pip fails loudly instead of
# downloading a multi-GB CUDA build when anything asks for torch.
echo "setup: installing pinned requirements into $venv (first time: a few minutes)" >&2
"$venv/bin/pip" install -qq -c constraints.txt -r requirements.txt
"$venv/bin/pip" install -qq --no-deps -e .
# the kernelspec the notebooks name, started over IPC (lab/kernels.py)
"$venv/bin/python" -m lab.kernels >/dev/null
# JupyterLab in its own environment beside this one (requirements-jupyter.txt says why);
# its kernels run in this one, through that kernelspec. The project is installed there too,
# for the kernelspec's IPC provisioner (an entry point of pyproject.toml).
jupyter_venv="$venv-jupyter"
if [ ! -x "$jupyter_venv/bin/python" ]; then
  echo "setup: creating $jupyter_venv" >&2
  python3.11 -m venv "$jupyter_venv" 2>/dev/null || python3 -m venv "$jupyter_venv"
fi
"$jupyter_venv/bin/pip" install -qq -c constraints.txt -r requirements-jupyter.txt
"$jupyter_venv/bin/pip" install -qq --no-deps -e .
# Prefect's and MLflow's databases migrated once (Prefect's as the training image does when
# it is built); process mode copies them into a fresh state (lab/db_templates.py)
"$venv/bin/python" -m lab.db_templates >/dev/null
# The sample data set the service generates on its first trigger, generated once with its
# own code; process mode copies it into a fresh state (lab/data_template.py)
"$venv/bin/python" -m lab.data_template >/dev/null
# The map a rehearsed step's import guard reads, built where the notebook kernels run
# (lab/rehearsal/module_owners.py)
(venv_dir=$(cd "$venv" && pwd) && cd notebooks \
  && "$venv_dir/bin/python" -c "from lab.rehearsal.module_owners import module_owners as m; m()")
echo "setup: ready ($venv)" >&2
