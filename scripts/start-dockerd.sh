#!/usr/bin/env bash
# Make sure a Docker engine answers, starting Debian's dockerd in the background when none
# does and we are root (these machines have no systemd). Never fails: without an engine the
# local target runs in process mode, and this says so.
set -u
timeout 20 docker version >/dev/null 2>&1 && exit 0
if ! command -v dockerd >/dev/null; then
  echo "start-dockerd: no Docker engine installed (apt-get install docker.io): process mode" >&2
  exit 0
fi
if [ "$(id -u)" -ne 0 ]; then
  echo "start-dockerd: no Docker engine answers; start it (sudo dockerd &) for Docker mode" >&2
  exit 0
fi
log=/var/log/lab-dockerd.log
echo "start-dockerd: starting dockerd (log: $log)" >&2
setsid nohup dockerd >"$log" 2>&1 </dev/null &
for _ in $(seq 60); do
  timeout 5 docker version >/dev/null 2>&1 && exit 0
  sleep 1
done
echo "start-dockerd: dockerd did not answer within 60 s (see $log): process mode" >&2
exit 0
