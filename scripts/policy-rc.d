#!/bin/sh
# uclab: refuse the distribution's kamailio and coturn while setup installs them
#
# scripts/setup.sh puts this file in place as /usr/sbin/policy-rc.d only while apt installs
# packages, and puts back whatever was there before. invoke-rc.d and deb-systemd-invoke
# (what maintainer scripts use to start services, policy-rc.d(8)) ask it first. Debian's
# kamailio and coturn packages start their daemons on install; the lab runs its own copies
# in its namespaces, and the host's port 5060 and 3478 belong to whoever runs the machine,
# so those two are refused (101: forbidden by local policy). Every other service gets the
# answer of the policy that was there before (kept beside this file), or is allowed (0).
saved="$0.uclab-saved"
service=""
for arg in "$@"; do
  case "$arg" in
    --*) ;;
    *) service=${arg%.service}; break ;;
  esac
done
case "$service" in
  kamailio | coturn) exit 101 ;;
esac
if [ -x "$saved" ]; then
  exec "$saved" "$@"
fi
exit 0
