#!/usr/bin/env bash
# Sets up everything uclab needs on a fresh Debian machine (root): apt packages, a
# virtualenv in .venv with the pinned pip packages, and uclab itself (editable).
# Idempotent and fast when nothing changed: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  # network simulator
  iproute2 nftables iptables conntrack tcpdump tshark iputils-ping netcat-openbsd
  wireguard-go wireguard-tools libnetfilter-queue-dev libnfnetlink-dev graphviz
  # STUN, SIP edge, interop and load peers
  coturn kamailio kamailio-python3-modules kamailio-tls-modules kamailio-sqlite-modules
  kamailio-extra-modules sip-tester baresip sngrep
  # the lab's DNS server (the binary only: the dnsmasq package would start one on the host)
  dnsmasq-base
  # a real browser for the self-tests of the HTML reports (headless)
  chromium
  # Python 3.11 with venv (Debian 12's), top (procps) for the call benchmark's CPU
  # snapshot, and building the pinned wheels that have no binary for this platform
  python3 python3-venv procps build-essential python3-dev
)

say() { printf '[setup] %s\n' "$*"; }

if [ "$(id -u)" != 0 ]; then
  echo "setup: run as root (the lab creates network namespaces and installs apt packages)" >&2
  exit 1
fi

missing=()
for pkg in "${APT_PACKAGES[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
  [ "$status" = "install ok installed" ] || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "installing apt packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  # tshark asks whether non-root users may capture; answer once, non-interactively
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -q
  # the lab runs its own Kamailio and coturn: Debian's must not start (now or at boot), and
  # nothing already running on this host is touched
  . scripts/distro_daemons.sh
  mapfile -t new_units < <(new_daemon_units "${missing[@]}")
  hold_distro_daemons scripts/policy-rc.d
  trap release_distro_daemons EXIT
  apt-get install -y -q --no-install-recommends "${missing[@]}"
  release_distro_daemons
  trap - EXIT
  for unit in "${new_units[@]}"; do
    disable_new_unit "$unit"
  done
else
  say "apt packages: all present"
fi

PYTHON=${PYTHON:-python3}
if ! "$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else 1)'; then
  echo "setup: uclab needs Python 3.11 (pjsua2-python wheels are cp311); set PYTHON=/path/to/python3.11" >&2
  exit 1
fi
if [ ! -x .venv/bin/python ]; then
  say "creating virtualenv .venv"
  "$PYTHON" -m venv .venv
fi
# two stamps: the pinned packages, and uclab itself (the image build installs the packages in
# a layer of their own, before the sources are copied in, so a code change keeps that layer)
stamp=.setup-stamp
want=$(sha256sum requirements.txt | cut -d' ' -f1)
if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
  say "installing pinned pip packages"
  .venv/bin/python -m pip install -q --upgrade pip
  .venv/bin/python -m pip install -q -r requirements.txt
  echo "$want" > "$stamp"
else
  say "pip packages: up to date"
fi
if [ -f pyproject.toml ]; then
  want=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ "$(cat "$stamp-project" 2>/dev/null)" != "$want" ] || [ ! -x .venv/bin/uclab ]; then
    say "installing uclab (editable)"
    .venv/bin/python -m pip install -q --no-deps --no-build-isolation -e .
    echo "$want" > "$stamp-project"
  fi
fi
if command -v npm >/dev/null 2>&1; then
  if [ ! -x node_modules/.bin/allure ] || [ package-lock.json -nt node_modules/.bin/allure ]; then
    say "installing Allure 3 (npm) for HTML reports"
    npm ci --no-audit --no-fund --loglevel=error || say "npm ci failed: reports will have no Allure HTML (summary.md/html still work)"
  fi
else
  say "no npm on this machine: reports will have no Allure HTML (summary.md/html still work)"
fi
if [ -n "${UCLAB_SETUP_SKIP_DOCTOR:-}" ] || [ ! -x .venv/bin/uclab ]; then
  # an image build cannot create namespaces: the container checks itself when it runs privileged
  say "uclab doctor skipped (UCLAB_SETUP_SKIP_DOCTOR or no uclab yet)"
else
  .venv/bin/uclab doctor --quiet || { echo "setup: 'uclab doctor' reports the host is not ready (see above)" >&2; exit 1; }
fi
say "ready"
