# Sourced by scripts/setup.sh: install kamailio and coturn without starting Debian's daemons.
#
# Debian's kamailio and coturn packages start their daemons when installed and enable them
# at boot. The lab runs its own Kamailio and coturn inside its namespaces and must leave
# the host's services and processes alone (a partner may run a Kamailio or coturn of their
# own), so setup never signals a process: it keeps the packages' daemons from starting.
#
#   new_daemon_units PKG...   which of the packages about to be installed are such daemons
#                             whose unit is not enabled yet (so the install is what enables it)
#   hold_distro_daemons       scripts/policy-rc.d becomes the host's policy-rc.d for the
#                             install (refuses kamailio and coturn, defers the rest to the
#                             policy that was there, which is kept aside)
#   release_distro_daemons    the previous policy-rc.d comes back (or none, if there was none)
#   disable_new_unit NAME     NAME.service, which this install enabled, stays off at boot
#
# POLICY_RC_D may point elsewhere (tests); dpkg's DPKG_ROOT is honoured like deb-systemd-invoke.

DISTRO_DAEMONS=(kamailio coturn) # package = service name; scripts/policy-rc.d refuses the same two
POLICY_RC_D=${POLICY_RC_D:-${DPKG_ROOT:-}/usr/sbin/policy-rc.d}
UCLAB_POLICY_MARK="uclab: refuse the distribution's kamailio and coturn while setup installs them"

hold_distro_daemons() {
  local ours=$1
  if [ -e "$POLICY_RC_D" ] && ! grep -qF "$UCLAB_POLICY_MARK" "$POLICY_RC_D"; then
    mv "$POLICY_RC_D" "$POLICY_RC_D.uclab-saved"
  fi
  install -m 0755 "$ours" "$POLICY_RC_D"
}

release_distro_daemons() {
  if [ -e "$POLICY_RC_D" ] && grep -qF "$UCLAB_POLICY_MARK" "$POLICY_RC_D"; then
    rm -f "$POLICY_RC_D"
  fi
  if [ -e "$POLICY_RC_D.uclab-saved" ]; then
    mv "$POLICY_RC_D.uclab-saved" "$POLICY_RC_D"
  fi
}

new_daemon_units() {
  local pkg wanted
  for pkg in "${DISTRO_DAEMONS[@]}"; do
    for wanted in "$@"; do
      if [ "$wanted" = "$pkg" ] && ! unit_enabled "$pkg"; then
        echo "$pkg"
      fi
    done
  done
}

unit_enabled() {
  command -v systemctl >/dev/null 2>&1 && systemctl is-enabled --quiet "$1.service" 2>/dev/null
}

disable_new_unit() {
  # unit files only (works without a running systemd); only for what new_daemon_units
  # named: a unit enabled before the install is someone else's and is left as it is
  if unit_enabled "$1"; then
    systemctl disable --quiet "$1.service"
  fi
}
