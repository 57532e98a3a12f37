# shellcheck shell=bash disable=SC2034  # constants used by the scripts that source this file
# Shared helpers of the 3-node lab (sourced by every script in tests/lab/). LAB_NODES=2 makes it a 2-node
# lab instead (node1, node2; corosync two_node, crm-examples/two-node.crm loaded on top of cluster.crm).
# The lab's layout, names and addresses live here only; everything else asks these functions.
#
# Layout of $LAB_DIR (default /var/tmp/galera-lab):
#   state/      what is running: <node>.init (host PID of the node's PID 1), <node>.pidns (its PID-namespace
#               inode), <node>.unshare, bridge, netns.<name>, writer.pid; with LAB_FENCING=1 also fencing
#               and fence-helper.pid
#   nodes/<n>/  per-node copies bind-mounted inside the node: etc-corosync etc-mysql var-lib-pacemaker
#               var-lib-corosync var-lib-mysql var-log
#   shared/     hosts, client.cnf (lab SQL user), agent/galera (our binary), cluster.crm (the loaded config);
#               LAB_FENCING=1: fence_lab, fencing.crm (the fence devices, loaded after cluster.crm)
#   cache/      datadir template from mariadb-install-db (kept between runs)
#   writer/     acked ids, writer log
#   fence/      LAB_FENCING=1 only: the fence helper's socket (bind-mounted at /run/lab/fence in every node),
#               helper.log, lock

LAB_SRC=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
REPO_TOP=$(cd "$LAB_SRC/../.." && pwd)
LAB_DIR=${LAB_DIR:-/var/tmp/galera-lab}
LAB_AGENT=${LAB_AGENT:-ours}          # ours | stock
# use_nodes N: this shell (and the lab commands it runs) works on an N-node lab.
use_nodes() {
  case $1 in
    2) NODES=(node1 node2) ;;
    3) NODES=(node1 node2 node3) ;;
    *) echo "LAB_NODES must be 2 or 3 (got $1)" >&2; exit 2 ;;
  esac
  export LAB_NODES=$1
}
use_nodes "${LAB_NODES:-3}"
# LAB_TOPOLOGY=arbitrator (3 nodes only; read by `up`, remembered in state/topology): node1 and node2 are the
# data nodes, node3 runs only garbd (crm-examples/arbitrator.crm loaded on top of cluster.crm).
# Unset: what the running lab was booted with, else plain.
if [ -z "${LAB_TOPOLOGY:-}" ] && [ -s "$LAB_DIR/state/topology" ]; then LAB_TOPOLOGY=$(cat "$LAB_DIR/state/topology"); fi
LAB_TOPOLOGY=${LAB_TOPOLOGY:-plain}
case $LAB_TOPOLOGY in
  plain) ;;
  arbitrator) [ "${#NODES[@]}" = 3 ] || { echo "LAB_TOPOLOGY=arbitrator needs LAB_NODES=3" >&2; exit 2; } ;;
  *) echo "LAB_TOPOLOGY must be plain or arbitrator (got $LAB_TOPOLOGY)" >&2; exit 2 ;;
esac
export LAB_TOPOLOGY
# The nodes that hold data (every node, except node3 in the arbitrator topology).
data_nodes() { if [ "$LAB_TOPOLOGY" = arbitrator ]; then echo node1 node2; else echo "${NODES[@]}"; fi; }
n_data_nodes() { if [ "$LAB_TOPOLOGY" = arbitrator ]; then echo 2; else echo "${#NODES[@]}"; fi; }
# Network names are host-wide. The default lab uses the plain names (labbr0, node1..3, labclient); a lab with
# another LAB_DIR gets names tagged from its path, so two labs on one machine never tear down each other's
# network (each is its own L2 segment, so both can use the same 198.18.0.0/24 addresses).
if [ "$LAB_DIR" = /var/tmp/galera-lab ]; then LAB_TAG=""; else LAB_TAG=$(printf %s "$LAB_DIR" | md5sum | cut -c1-4); fi
BRIDGE=${LAB_TAG:+gl$LAB_TAG}
BRIDGE=${BRIDGE:-lab}br0
CLIENT_NS=labclient
ns_of() { echo "${LAB_TAG:+gl$LAB_TAG-}$1"; }      # netns name of node/client NAME
veth_of() { echo "v${LAB_TAG:-h}-$1"; }           # host end of NAME's veth (<= 15 chars)
CLIENT_IP=198.18.0.50
VIP=198.18.0.100
PREFIX=24
LAB_SQL_USER=lab
LAB_SQL_PASS=lab-only-password
GALERA_RSC=galera                     # primitive name in crm-examples/cluster.crm

node_ip() { echo "198.18.0.1${1#node}"; }
ts() { date -u +%H:%M:%S.%3N; }
log() { echo "[$(ts)] $*" >&2; }
die() { log "FATAL: $*"; exit 1; }
need_root() { [ "$(id -u)" -eq 0 ] || die "the lab needs root (namespaces, bridge)"; }
state() { echo "$LAB_DIR/state/$1"; }
is_node() { local n; for n in "${NODES[@]}"; do [ "$n" = "$1" ] && return 0; done; return 1; }

# wait_for DESCRIPTION DEADLINE_SECONDS CMD...: poll CMD (every 0.5 s) until it succeeds or the deadline passes.
wait_for() {
  local what=$1 secs=$2 start=$SECONDS
  shift 2
  log "waiting (≤${secs}s) for: $what"
  while ! "$@" >/dev/null 2>&1; do
    if [ $((SECONDS - start)) -ge "$secs" ]; then
      log "TIMEOUT after ${secs}s waiting for: $what"
      return 1
    fi
    sleep 0.5
  done
  log "ok after $((SECONDS - start))s: $what"
}

# Seconds since the epoch with milliseconds, for TIMING lines.
now() { date +%s.%3N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

# ---- processes: found by PID-namespace inode, never by name ----------------------------------------------
node_init_pid() { cat "$(state "$1.init")" 2>/dev/null; }
node_pidns() { cat "$(state "$1.pidns")" 2>/dev/null; }

# pids_in_pidns INODE: every host PID whose PID namespace is INODE (e.g. "pid:[4026532301]"). ps reads each
# /proc/PID/ns/pid itself (format pidns = the inode number), 20 times faster than a readlink per process in
# bash, which matters for the scenarios that poll a node's processes.
pids_in_pidns() {
  local want=${1//[^0-9]/}
  [ -n "$want" ] || return 0
  ps -e -o pid=,pidns= | awk -v ns="$want" '$2 == ns { print $1 }'
  return 0
}

node_running() {
  local pid ns
  pid=$(node_init_pid "$1") || return 1
  ns=$(node_pidns "$1") || return 1
  [ -n "$pid" ] && [ "$(readlink "/proc/$pid/ns/pid" 2>/dev/null)" = "$ns" ]
}

# node_exec NODE CMD...: run CMD inside every namespace of NODE.
node_exec() {
  local node=$1 pid
  shift
  pid=$(node_init_pid "$node") || die "$node is not running"
  node_running "$node" || die "$node is not running"
  nsenter -t "$pid" -a -- "$@"
}

# kill_node_processes NODE: SIGKILL every process of the node's PID namespace in ONE kill(1) call.
kill_node_processes() {
  local node=$1 ns pids
  ns=$(node_pidns "$node") || true
  [ -n "$ns" ] || return 0
  mapfile -t pids < <(pids_in_pidns "$ns")
  [ ${#pids[@]} -eq 0 ] || kill -9 "${pids[@]}" 2>/dev/null || true
  # A process blocked on a frozen datadir dies only once it is thawed.
  thaw_datadir "$node"
  wait_for "no process left in $node's PID namespace" 30 no_pids_in "$ns"
}

# ---- a datadir that hangs (fencing-stop-hangs) ---------------------------------------------------------
# loop_datadir NODE (powered off): NODE's datadir moved onto an ext4 image of its own, loop-mounted on the
# host over nodes/NODE/var-lib-mysql, so node-init's bind mount uses it at the next power-on.
# freeze_datadir NODE: fsfreeze it. Every write to it then blocks in uninterruptible sleep (D state) and
# not even SIGKILL ends the writer until it is thawed: a disk that hangs. A power-kill thaws it after its
# kill -9 (a powered-off node's processes are gone, whatever their disk did); cleanup unmounts it.
datadir_of() { echo "$LAB_DIR/nodes/$1/var-lib-mysql"; }
loop_datadir() {
  local n=$1 dd img tmp
  dd=$(datadir_of "$n") img=$LAB_DIR/nodes/$1/datadir.img tmp=$LAB_DIR/nodes/$1/datadir.tmp
  ! node_running "$n" || die "loop_datadir $n: the node must be powered off"
  [ ! -s "$(state "$n.loopmount")" ] || return 0
  truncate -s 1G "$img"
  mkfs.ext4 -q -F "$img"
  mkdir -p "$tmp"
  mount -o loop "$img" "$tmp"
  rmdir "$tmp/lost+found"
  # "$dd/." copies the directory's own owner and mode too (mysql, 0755), not only its contents.
  cp -a "$dd/." "$tmp/"
  umount "$tmp"
  rmdir "$tmp"
  mount -o loop "$img" "$dd"
  echo "$dd" >"$(state "$n.loopmount")"
}
freeze_datadir() { fsfreeze -f "$(datadir_of "$1")" && datadir_of "$1" >"$(state "$1.frozen")"; }
thaw_datadir() {
  local f
  f=$(state "$1.frozen")
  [ -s "$f" ] || return 0
  fsfreeze -u "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
}
release_loop_datadir() {
  local f
  thaw_datadir "$1"
  f=$(state "$1.loopmount")
  [ -s "$f" ] || return 0
  umount "$(cat "$f")" 2>/dev/null || umount -l "$(cat "$f")" 2>/dev/null || true
  rm -f "$f"
}
no_pids_in() { [ -z "$(pids_in_pidns "$1")" ]; }

# ---- network -------------------------------------------------------------------------------------------
# netns_up NAME IP: a netns with lo and eth0 (veth to the bridge, no IPv6, no default route).
netns_up() {
  local name ip=$2 host_if
  name=$(ns_of "$1") host_if=$(veth_of "$1")
  ip netns add "$name"
  : >"$(state "netns.$1")"
  ip netns exec "$name" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
  ip link add "$host_if" type veth peer name eth0 netns "$name"
  sysctl -qw "net.ipv6.conf.$host_if.disable_ipv6=1"
  ip link set "$host_if" master "$BRIDGE" up
  ip -n "$name" link set lo up
  ip -n "$name" addr add "$ip/$PREFIX" dev eth0
  ip -n "$name" link set eth0 up
}

netns_down() {
  ip link del "$(veth_of "$1")" 2>/dev/null || true
  ip netns del "$(ns_of "$1")" 2>/dev/null || true
  rm -f "$(state "netns.$1")"
}

bridge_up() {
  ip link show "$BRIDGE" >/dev/null 2>&1 || ip link add "$BRIDGE" type bridge
  : >"$(state bridge)"
  sysctl -qw "net.ipv6.conf.$BRIDGE.disable_ipv6=1"
  ip link set "$BRIDGE" up
}

bridge_down() {
  ip link del "$BRIDGE" 2>/dev/null || true
  rm -f "$(state bridge)"
}

client() { ip netns exec "$(ns_of "$CLIENT_NS")" "$@"; }

# ---- SQL -----------------------------------------------------------------------------------------------
# sql_vip [PORT] SQL: one statement as the lab user through the VIP from the client netns.
sql_vip() {
  local port=3306
  [ $# -lt 2 ] || { port=$1; shift; }
  client timeout 8 mariadb --defaults-file="$LAB_DIR/shared/client.cnf" -h "$VIP" -P "$port" \
    --connect-timeout=3 -N -B -e "$1"
}

# sql_node NODE SQL: as root over the node's unix socket (the check the agents use too).
sql_node() { node_exec "$1" timeout 20 mariadb --no-defaults -uroot -S /run/mysqld/mysqld.sock -N -B -e "$2"; }

# ---- Pacemaker views (XML, read on any running node) ---------------------------------------------------
any_node() { local n; for n in "${NODES[@]}"; do node_running "$n" && { echo "$n"; return 0; }; done; return 1; }
# The cluster as one node sees it: LAB_VIEW_NODE when set (in a partition, a node of the majority), else any.
crm_mon_xml() {
  local n=${LAB_VIEW_NODE:-}
  [ -n "$n" ] || n=$(any_node) || return 1
  node_exec "$n" crm_mon -1 --output-as=xml 2>/dev/null
}

# promoted_nodes: names of nodes where the galera clone is Promoted, one a line.
promoted_nodes() {
  crm_mon_xml | xmllint --xpath \
    "//clone[@id='$GALERA_RSC-clone']/resource[@role='Promoted' or @role='Master'][@active='true'][@failed='false']/node/@name" - 2>/dev/null |
    sed -E 's/ name="([^"]*)"/\1\n/g' | grep -v '^$' || true
}
vip_node() {
  crm_mon_xml | xmllint --xpath "//resource[@id='vip'][@role='Started'][@active='true']/node/@name" - 2>/dev/null |
    sed -E 's/ name="([^"]*)"/\1/'
}
maxscale_count() {
  crm_mon_xml | xmllint --xpath \
    "count(//clone[@id='maxscale-clone']/resource[@role='Started'][@active='true'][@failed='false'])" - 2>/dev/null
}
n_promoted_is() { [ "$(promoted_nodes | wc -l)" -eq "$1" ]; }
vip_answers() { [ -n "$(sql_vip "SELECT @@hostname" 2>/dev/null)" ]; }
# all_up [N]: N data nodes Promoted (default: all of them), the VIP answering, and maxscale Started on every
# online node (a scenario that keeps a node powered off passes the smaller N; the arbitrator's node also runs
# maxscale, so the online count, not N, is what maxscale is compared with).
all_up() {
  local online
  online=$(online_count)
  n_promoted_is "${1:-$(n_data_nodes)}" && [ -n "$(vip_node)" ] && [ "${online:-0}" -gt 0 ] &&
    [ "$(maxscale_count)" = "$online" ] && vip_answers && { [ "$LAB_TOPOLOGY" != arbitrator ] || garbd_in_primary; }
}
online_count() { crm_mon_xml | xmllint --xpath "count(//nodes/node[@online='true'])" - 2>/dev/null; }
# The arbitrator topology's garbd runs on node3 and its monitor has not failed or degraded.
garbd_in_primary() {
  crm_mon_xml | xmllint --xpath "//resource[@id='garbd'][@role='Started'][@active='true'][@failed='false']/node[@name='node3']" - >/dev/null 2>&1
}
