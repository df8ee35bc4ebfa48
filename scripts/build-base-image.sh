#!/usr/bin/env bash
# Builds uclab-base:bookworm, the Debian 12 image docker/Dockerfile starts FROM, from Debian's
# own packages: no image registry is needed (none is reachable from the lab's machines).
#   scripts/build-base-image.sh [TAG]     default TAG uclab-base:bookworm
# debootstrap (minbase) into a temporary directory, tar it and `docker import` the tar. The
# docker client talks to the engine DOCKER_HOST names (or the default socket). Installs
# debootstrap and docker.io when they are missing: only building the image needs them, so
# scripts/setup.sh does not. MIRROR overrides the Debian mirror (default deb.debian.org).
set -euo pipefail
cd "$(dirname "$0")/.."
TAG=${1:-uclab-base:bookworm}
MIRROR=${MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm

say() { printf '[base-image] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "build-base-image: run as root (debootstrap creates device nodes and chroots)" >&2
  exit 2
fi
scripts/image-tools.sh
if ! docker info >/dev/null 2>&1; then
  echo "build-base-image: no docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}); start one, see docs/SCALING.md" >&2
  exit 2
fi

root=$(mktemp -d /var/tmp/uclab-base.XXXXXX)
trap 'rm -rf "$root"' EXIT
say "debootstrap $SUITE from $MIRROR into $root"
debootstrap --variant=minbase --include=ca-certificates "$SUITE" "$root" "$MIRROR" >"$root.log" 2>&1 ||
  { tail -20 "$root.log" >&2; rm -f "$root.log"; exit 1; }
rm -f "$root.log"
cat >"$root/etc/apt/sources.list" <<SOURCES
deb $MIRROR $SUITE main
deb $MIRROR $SUITE-updates main
deb ${MIRROR%/debian}/debian-security $SUITE-security main
SOURCES
# an image has no init: keep apt from starting daemons at install time
printf '#!/bin/sh\nexit 101\n' >"$root/usr/sbin/policy-rc.d"
chmod 755 "$root/usr/sbin/policy-rc.d"
chroot "$root" apt-get clean
rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/*.bin "$root"/tmp/* "$root"/var/log/*.log
say "docker import as $TAG"
tar --numeric-owner -C "$root" -c . |
  docker import --change 'ENV LANG=C.UTF-8' --change 'CMD ["/bin/bash"]' \
    --message "debootstrap --variant=minbase $SUITE $MIRROR" - "$TAG" >/dev/null
say "built $TAG ($(docker image inspect -f '{{.Size}}' "$TAG" | numfmt --to=iec))"
