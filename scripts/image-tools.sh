#!/usr/bin/env bash
# Installs what building and running uclab's container image needs and the lab itself does
# not: debootstrap (the base image) and, where no engine is at hand, Debian's docker.io
# (client and engine). Called by
# scripts/build-base-image.sh and scripts/build-image.sh; scripts/setup.sh leaves them out.
set -euo pipefail
missing=()
status=$(dpkg-query -W -f='${Status}' debootstrap 2>/dev/null || true)
[ "$status" = "install ok installed" ] || missing+=(debootstrap)
# Debian's docker.io only where no engine is at hand: a machine with Docker's own packages
# (CI runners) keeps them; one without dockerd whose client reaches no engine gets it
if ! command -v dockerd >/dev/null 2>&1 && ! { command -v docker >/dev/null 2>&1 && docker info >/dev/null 2>&1; }; then
  missing+=(docker.io)
fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" != 0 ]; then
  echo "image-tools: apt-get install ${missing[*]} needs root" >&2
  exit 2
fi
echo "[image-tools] installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# policy-rc.d keeps Debian from starting the packaged docker service: the engine is started
# by whoever runs the build, with the options they choose (see docs/SCALING.md)
had_policy=0; [ -e /usr/sbin/policy-rc.d ] && had_policy=1
[ "$had_policy" = 1 ] || { printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d; chmod 755 /usr/sbin/policy-rc.d; }
apt-get install -y -q --no-install-recommends "${missing[@]}" || { [ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d; exit 1; }
[ "$had_policy" = 1 ] || rm -f /usr/sbin/policy-rc.d
