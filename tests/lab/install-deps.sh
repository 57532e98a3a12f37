#!/usr/bin/env bash
# Installs (idempotently) every Debian package the lab and the Rust tests need. A policy-rc.d that forbids
# service starts keeps the packages' postinst from starting mariadb/corosync/pacemaker on the host; it is
# removed again only if this script created it.
set -euo pipefail
pkgs=(pacemaker corosync crmsh pacemaker-cli-utils resource-agents mariadb-server mariadb-client galera-4
  mariadb-backup rsync iproute2 psmisc iputils-arping socat libxml2-utils procps util-linux lsof pcs rpm
  hyperfine strace time jq)

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#pkgs[@]} packages present"
  exit 0
fi
[ "$(id -u)" -eq 0 ] || { echo "install-deps: need root to install: ${missing[*]}" >&2; exit 1; }

created_policy=0
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod 0755 /usr/sbin/policy-rc.d
  created_policy=1
fi
cleanup() { [ "$created_policy" -eq 0 ] || rm -f /usr/sbin/policy-rc.d; }
trap cleanup EXIT

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
