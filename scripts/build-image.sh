#!/usr/bin/env bash
# Builds the uclab image (docker/Dockerfile) from this checkout, tagged
# uclab:<commit>[-dirty-<digest>] and uclab:latest, on the engine DOCKER_HOST names.
#   scripts/build-image.sh
# Builds the base image first when the engine does not have it (scripts/build-base-image.sh).
# The build reaches Debian's packages, PyPI and npm through the host's network (--network
# host); the containers it makes later run with --network none.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/image-tools.sh
if ! docker info >/dev/null 2>&1; then
  echo "build-image: no docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); start one, see docs/SCALING.md" >&2
  exit 2
fi
docker image inspect uclab-base:bookworm >/dev/null 2>&1 || scripts/build-base-image.sh
# a host behind a TLS-inspecting proxy trusts local CAs: the build needs them for PyPI and npm
find docker/ca-certificates -name '*.crt' -delete
for crt in /usr/local/share/ca-certificates/*.crt; do [ -e "$crt" ] && cp "$crt" docker/ca-certificates/; done
source=$(.venv/bin/python -m uclab.rundir source)
tag=$(.venv/bin/python -m uclab.rundir tag)
echo "[image] building $tag from $source"
docker build --network host -f docker/Dockerfile --build-arg UCLAB_SOURCE="$source" -t "$tag" -t uclab:latest .
echo "[image] built $tag (also uclab:latest)"
