#!/usr/bin/env bash
# Build a stand-in for the Dockerfiles' BASE_IMAGE (python:3.11.14-slim) on a machine that
# cannot pull it: Debian bookworm (minbase, mmdebstrap) with Debian's Python 3.11, this
# machine's CA bundle (so pip inside trusts what the host trusts), and `python`/`pip` on PATH
# from a venv at /usr/local, as in the official image. It is NOT the official image: its
# name says "standin" and its labels say what it is.
#   usage: scripts/build-standin-base.sh [TAG]    (default lab-standin/python:3.11-bookworm)
set -euo pipefail

tag=${1:-lab-standin/python:3.11-bookworm}
rootfs_tag="lab-standin/debian-rootfs:bookworm"
ca_bundle=/etc/ssl/certs/ca-certificates.crt
for tool in mmdebstrap docker; do
  command -v "$tool" >/dev/null || { echo "build-standin-base: $tool is missing (apt-get install $tool)" >&2; exit 1; }
done
[ -f "$ca_bundle" ] || { echo "build-standin-base: $ca_bundle is missing (apt-get install ca-certificates)" >&2; exit 1; }

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
echo "build-standin-base: debootstrapping Debian bookworm with Python 3.11 (mmdebstrap)" >&2
mmdebstrap --quiet --variant=minbase \
  --include=python3.11,python3.11-venv,ca-certificates,netbase \
  bookworm "$work/rootfs.tar"
docker import --message "mmdebstrap bookworm minbase + python3.11" "$work/rootfs.tar" "$rootfs_tag" >/dev/null

cp "$ca_bundle" "$work/ca-certificates.crt"
cat >"$work/Dockerfile" <<DOCKERFILE
FROM $rootfs_tag
COPY ca-certificates.crt $ca_bundle
# A venv at /usr/local puts python, python3, pip and pip3 in /usr/local/bin, first on PATH,
# and pip installs into /usr/local/lib/python3.11/site-packages, as in python:3.11-slim.
RUN python3.11 -m venv /usr/local && rm -rf /root/.cache
ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin \\
    LANG=C.UTF-8
LABEL org.opencontainers.image.title="lab stand-in for python:3.11-slim" \\
      org.opencontainers.image.description="Debian bookworm minbase + Debian python3.11 in a venv at /usr/local; built by scripts/build-standin-base.sh where Docker Hub cannot be reached. Not the official python image."
CMD ["python3"]
DOCKERFILE
echo "build-standin-base: building $tag (a stand-in, not the official python image)" >&2
DOCKER_BUILDKIT=0 docker build --quiet -t "$tag" "$work" >/dev/null
docker run --rm "$tag" python -c 'import ssl, sys; print("build-standin-base:", sys.version.split()[0], ssl.OPENSSL_VERSION)' >&2
echo "$tag"
