#!/usr/bin/env bash
# galera-ocf: arbitrator.crm (two data nodes node1, node2 and garbd on node3)
# as pcs commands. Run AFTER pcs-setup.sh, on the same CIB copy:
#     pcs cluster cib galera.xml
#     bash pcs-setup.sh galera.xml
#     bash pcs-arbitrator.sh galera.xml
#     crm_verify -x galera.xml -V
#     pcs cluster cib-push galera.xml --config
# See arbitrator.crm for what it protects against and why each constraint is
# what it is (garbd only on node3, no order against the galera clone).
set -euo pipefail

pcs_() {
  if [ $# -gt 0 ] && [ -n "$CIB" ]; then pcs -f "$CIB" "$@"; else pcs "$@"; fi
}
CIB=${1:-}
if [ -n "$CIB" ] && [ ! -f "$CIB" ]; then
  echo "pcs-arbitrator.sh: $CIB does not exist (create it with: pcs cluster cib $CIB)" >&2
  exit 2
fi

# The data agent learns that node3 is an arbitrator; two promoted instances.
pcs_ resource update galera arbitrators=node3
pcs_ resource meta galera-clone promoted-max=2

# garbd, independent of the galera clone (no order: see arbitrator.crm).
pcs_ resource create --no-default-ops garbd ocf:galera-ocf:garbd \
  wsrep_cluster_address="gcomm://node1,node2,node3" group=my_wsrep_cluster \
  log=/var/log/garbd.log \
  op start timeout=60s interval=0 \
  op stop timeout=60s interval=0 \
  op monitor interval=10s timeout=20s

# The data clone never on node3 and never probed there (no MariaDB on node3);
# garbd only on node3.
pcs_ constraint location add galera-not-on-arbitrator galera-clone node3 -INFINITY \
  resource-discovery=never
pcs_ constraint location garbd rule constraint-id=garbd-only-on-node3 \
  score=-INFINITY '#uname' ne node3
