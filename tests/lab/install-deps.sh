#!/usr/bin/env bash
# Installs (idempotently) every Debian package any test suite uses, then checks that every external command
# and file the suites call is really there. On a brand-new machine nothing of this is installed: this script
# is the only place that brings it, so a suite must never depend on something installed by hand.
#
# A policy-rc.d that forbids service starts keeps the packages' postinst from starting mariadb/corosync/
# pacemaker on the host; it is removed again only if this script created it.
#
#   tests/lab/install-deps.sh           install what is missing, then check
#   tests/lab/install-deps.sh --check   only check (exit 1 naming every missing command, installs nothing)
set -euo pipefail

# package -> what of it the suites use. The check below is the contract: a command listed here that is not on
# PATH after the install is a failure with its name and package, never a skipped test.
needs=(
  "pacemaker:pacemakerd"
  "pacemaker-cli-utils:crm_attribute crm_verify crm_simulate crm_resource crm_mon crm_failcount cibadmin crm_node cibsecret"
  "corosync:corosync corosync-keygen corosync-cfgtool corosync-quorumtool"
  "crmsh:crm"
  "pcs:pcs"
  "resource-agents:ocf-tester /usr/lib/ocf/resource.d/heartbeat/galera /usr/lib/ocf/resource.d/heartbeat/IPaddr2 /usr/share/resource-agents/ra-api-1.dtd"
  "fence-agents:/usr/sbin/fence_ipmilan"
  "mariadb-server:mariadbd mariadb-install-db"
  "mariadb-client:mariadb"
  "mariadb-backup:mariadb-backup"
  "galera-4:/usr/lib/galera/libgalera_smm.so"
  "galera-arbitrator-4:/usr/bin/garbd"
  "rsync:rsync"
  "iproute2:ip tc ss"
  "psmisc:fuser"
  "iputils-arping:arping"
  "iputils-ping:ping"
  "openssh-client:ssh"
  "socat:socat"
  "libxml2-utils:xmllint"
  "procps:ps"
  "util-linux:unshare nsenter setpriv setsid flock losetup fsfreeze"
  # fencing-stop-hangs: a node's datadir on a loop-mounted ext4 that the scenario freezes.
  "e2fsprogs:mkfs.ext4"
  "lsof:lsof"
  "rpm:rpmbuild rpm"
  "dpkg:dpkg dpkg-deb"
  "hyperfine:hyperfine"
  "strace:strace"
  "time:/usr/bin/time"
  "jq:jq"
  "shellcheck:shellcheck"
  "man-db:man"
  "gzip:gzip"
  "coreutils:timeout md5sum"
)

pkgs=()
for entry in "${needs[@]}"; do pkgs+=("${entry%%:*}"); done

check_commands() {
  local entry pkg item missing=()
  for entry in "${needs[@]}"; do
    pkg=${entry%%:*}
    for item in ${entry#*:}; do
      case $item in
        /*) [ -e "$item" ] || missing+=("$item (package $pkg)") ;;
        *) command -v "$item" >/dev/null 2>&1 || missing+=("$item (package $pkg)") ;;
      esac
    done
  done
  if [ ${#missing[@]} -gt 0 ]; then
    echo "install-deps: MISSING, the test suites cannot run without:" >&2
    printf '  %s\n' "${missing[@]}" >&2
    return 1
  fi
  echo "install-deps: every command and file the suites use is present (${#needs[@]} packages)"
}

if [ "${1:-}" = --check ]; then
  check_commands
  exit
fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
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
fi
check_commands
