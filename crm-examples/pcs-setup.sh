#!/usr/bin/env bash
# galera-ocf: the configuration of cluster.crm written as pcs commands.
#
# Usage, the safe way (edit a copy of the CIB, then push it in one step):
#     pcs cluster cib galera.xml           # copy of the live CIB
#     bash pcs-setup.sh galera.xml         # every command runs as `pcs -f galera.xml ...`
#     crm_verify -x galera.xml -V          # check before pushing
#     pcs cluster cib-push galera.xml --config
# Without an argument the commands change the live cluster one by one.
#
# Change the same things as in cluster.crm: node names in
# wsrep_cluster_address, the VIP (ip, cidr_netmask, nic), the check user, and
# add a real fencing device (then set stonith-enabled=true) for production:
#     pcs stonith create fence-node1 fence_ipmilan ip=... username=... \
#         password=... lanplus=1 pcmk_host_list=node1
#     pcs constraint location fence-node1 avoids node1
# See cluster.crm and README.md for why each value is what it is.
set -euo pipefail

pcs_() {
  if [ $# -gt 0 ] && [ -n "$CIB" ]; then pcs -f "$CIB" "$@"; else pcs "$@"; fi
}
CIB=${1:-}
if [ -n "$CIB" ] && [ ! -f "$CIB" ]; then
  echo "pcs-setup.sh: $CIB does not exist (create it with: pcs cluster cib $CIB)" >&2
  exit 2
fi

# LAB/DEMO ONLY: production needs a fencing device and stonith-enabled=true.
pcs_ property set stonith-enabled=false no-quorum-policy=stop \
  cluster-recheck-interval=5min
pcs_ resource defaults update resource-stickiness=100 migration-threshold=3 \
  failure-timeout=10min
pcs_ resource op defaults update timeout=60s

# Galera, promotable clone "galera-clone" (pcs names the clone <id>-clone).
pcs_ resource create --no-default-ops galera ocf:galera-ocf:galera \
  wsrep_cluster_address="gcomm://node1,node2,node3" \
  binary=/usr/sbin/mariadbd config=/etc/mysql/my.cnf datadir=/var/lib/mysql \
  user=mysql group=mysql log=/var/log/mysql/error.log \
  pid=/run/mysqld/mysqld.pid socket=/run/mysqld/mysqld.sock check_user=root \
  op start timeout=120s interval=0 on-fail=restart \
  op stop timeout=120s interval=0 \
  op promote timeout=300s interval=0 on-fail=restart \
  op demote timeout=120s interval=0 \
  op monitor role=Promoted interval=2s timeout=30s on-fail=restart \
  op monitor role=Unpromoted interval=30s timeout=30s on-fail=restart \
  promotable promoted-max=3 promoted-node-max=1 clone-node-max=1 notify=true

# Floating IP.
pcs_ resource create --no-default-ops vip ocf:heartbeat:IPaddr2 \
  ip=198.18.0.100 cidr_netmask=24 nic=eth0 \
  op start timeout=20s interval=0 \
  op stop timeout=20s interval=0 \
  op monitor interval=10s timeout=20s on-fail=restart \
  meta migration-threshold=1 failure-timeout=5min

# MaxScale on every node, clone "maxscale-clone".
pcs_ resource create --no-default-ops maxscale lsb:maxscale \
  op start timeout=30s interval=0 on-fail=restart \
  op stop timeout=30s interval=0 \
  op monitor interval=15s timeout=15s on-fail=restart \
  meta migration-threshold=1 failure-timeout=5min \
  clone clone-node-max=1

# VIP only on a Promoted (Synced, Primary) Galera node; no order after promote
# (it would hold the VIP back for every promote in the transition), see cluster.crm.
pcs_ constraint colocation add vip with Promoted galera-clone INFINITY \
  id=vip-with-promoted
# shellcheck disable=SC1010 # "then" is a pcs keyword here, not the shell's
pcs_ constraint order stop vip then demote galera-clone kind=Mandatory \
  symmetrical=false id=vip-stop-before-demote
# Only where clients are served: never on galera-synced=0 (a joiner, a node
# rejecting queries or read-only), preferably (200 > resource-stickiness 100)
# on galera-synced=1 rather than on a Donor or desynced node (desynced); see
# cluster.crm for why.
pcs_ constraint location vip rule constraint-id=vip-only-on-synced \
  score=-INFINITY not_defined galera-synced or galera-synced eq 0
pcs_ constraint location vip rule constraint-id=vip-prefers-serving \
  score=200 galera-synced eq 1
# VIP only where MaxScale runs, MaxScale started first (a group cannot hold a
# clone, so colocation + order do what a group would do).
pcs_ constraint colocation add vip with maxscale-clone INFINITY \
  id=vip-with-maxscale
# shellcheck disable=SC1010 # "then" is a pcs keyword here, not the shell's
pcs_ constraint order start maxscale-clone then start vip kind=Mandatory \
  id=maxscale-before-vip
