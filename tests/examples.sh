#!/usr/bin/env bash
# Verifies crm-examples/ without a running cluster:
#   * every *.crm loads with `crm configure load update` into a test CIB
#     (cluster.crm alone, each snippet on top of cluster.crm), with no error or
#     warning from crmsh, and passes `crm_verify -V` and `crm configure verify`;
#   * every galera op timeout is at least what the agent's meta-data advises
#     (crmsh checks start/stop itself but not role-specific monitors);
#   * the scheduler places things as the comments promise (crm_simulate):
#     all three Galera instances promoted, the VIP on a Promoted node with
#     MaxScale, a MaxScale failure elsewhere leaves the VIP alone, one under
#     the VIP moves it, galera-synced=0 under the VIP moves it (a joiner still
#     in its state transfer), galera-synced=desynced under it moves it to a
#     serving node and it does not move back, every node desynced leaves it
#     where it is, and no promoted instance means no VIP;
#   * pcs-setup.sh builds the same configuration with `pcs -f` on a test CIB,
#     which passes crm_verify and behaves the same in crm_simulate;
#   * galera.cnf agrees with cluster.crm's parameters: `galera-ocf validate-all`
#     with those parameters and config=galera.cnf exits 0 without a warning.
#
# How the agent's meta-data reaches the tools: crmsh asks crm_resource, which
# only looks in the compiled-in OCF root /usr/lib/ocf. Instead of installing
# anything there, the test re-runs itself in a private mount namespace
# (unshare --mount) and lays a read-only overlay over /usr/lib/ocf/resource.d
# that adds galera-ocf/galera (a copy of target/release/galera-ocf), and one
# over /etc/init.d that adds a stand-in LSB `maxscale` script. Nothing on the
# host is changed; the overlays vanish with the namespace.
# If target/release/galera-ocf is missing or its `meta-data` fails, that is
# reported as a FAILURE and the remaining checks run against the stock
# agent's meta-data (ocf:heartbeat:galera shares the parameter names), so one
# missing piece does not hide the others.
#
# Needs root (mount namespace), crmsh, pacemaker-cli-utils, pcs, xmllint, mariadbd (mariadb-server); a
# missing tool is a failure, never a skip.
# Prints one closing line "N passed, N failed"; exit status 1 on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ex="$top/crm-examples"

if [ "${GALERA_OCF_EXAMPLES_INNER:-}" != 1 ]; then
  if [ "$(id -u)" != 0 ] || ! unshare --mount --propagation private true 2>/dev/null; then
    echo "FAIL: needs root and mount namespaces (unshare --mount) to overlay the OCF directory"
    echo "0 passed, 1 failed"
    exit 1
  fi
  GALERA_OCF_EXAMPLES_INNER=1 unshare --mount --propagation private bash "$0" "$@"
  exit $?
fi

# shellcheck source=tests/tally.sh
. "$top/tests/tally.sh"

work=$(mktemp -d /tmp/galera-ocf-examples.XXXXXX)
cleanup() {
  # The overlays die with the namespace; unmount anyway so $work can go.
  umount /etc/init.d 2>/dev/null
  umount /usr/lib/ocf/resource.d 2>/dev/null
  rm -rf "$work"
}
trap cleanup EXIT

for tool in crm crm_verify crm_simulate crm_mon crm_resource crm_attribute cibadmin pcs xmllint mariadbd; do
  if ! command -v "$tool" >/dev/null; then
    bad "required tool $tool is not installed"
    finish
    exit 1
  fi
done

# --- the agent and the MaxScale stand-in, visible only in this namespace ----
mkdir -p "$work/ocf/galera-ocf" "$work/initd"
bin=${GALERA_OCF_BIN:-$top/target/release/galera-ocf}   # override for debugging the test
if [ -x "$bin" ] && "$bin" meta-data >"$work/ours.xml" 2>"$work/ours.err" \
  && xmllint --noout "$work/ours.xml" 2>>"$work/ours.err"; then
  cp "$bin" "$work/ocf/galera-ocf/galera"
  cp "$bin" "$work/ocf/galera-ocf/garbd"   # argv[0] garbd: the arbitrator agent (arbitrator.crm)
  meta="$work/ours.xml"
  ok "target/release/galera-ocf meta-data is well-formed XML; examples are checked against it"
else
  bad "target/release/galera-ocf missing or its meta-data failed (run cargo build --release);" \
    "checking against the stock agent's meta-data instead: $(head -c 300 "$work/ours.err" 2>/dev/null)"
  OCF_ROOT=/usr/lib/ocf /usr/lib/ocf/resource.d/heartbeat/galera meta-data >"$work/stock.xml"
  meta="$work/stock.xml"
  # shellcheck disable=SC2016  # $1 belongs to the generated script, not to this one
  printf '#!/bin/sh\n[ "$1" = meta-data ] && exec cat "%s"\nexit 3\n' "$work/stock.xml" \
    >"$work/ocf/galera-ocf/galera"
  chmod 755 "$work/ocf/galera-ocf/galera"
fi
cat >"$work/initd/maxscale" <<'EOF'
#!/bin/sh
# Stand-in LSB script for the examples test: never run by it, only listed.
case "$1" in
  start|stop|restart|force-reload) exit 0 ;;
  status) exit 3 ;;
  *) exit 2 ;;
esac
EOF
chmod 755 "$work/initd/maxscale"
if mount -t overlay overlay -o "lowerdir=$work/ocf:/usr/lib/ocf/resource.d" /usr/lib/ocf/resource.d \
  && mount -t overlay overlay -o "lowerdir=$work/initd:/etc/init.d" /etc/init.d; then
  ok "agent and lsb:maxscale stand-in overlaid in a private mount namespace"
else
  bad "could not mount the overlays"
  finish
  exit 1
fi
if crm_resource --show-metadata ocf:galera-ocf:galera 2>&1 | grep '<resource-agent name="galera"' >/dev/null; then
  ok "crm_resource --show-metadata ocf:galera-ocf:galera"
else
  bad "crm_resource does not see ocf:galera-ocf:galera"
fi
if crm_resource --show-metadata ocf:galera-ocf:garbd 2>&1 | grep '<resource-agent name="garbd"' >/dev/null; then
  ok "crm_resource --show-metadata ocf:galera-ocf:garbd"
else
  bad "crm_resource does not see ocf:galera-ocf:garbd"
fi

# --- helpers -----------------------------------------------------------------
# new_cib FILE NODE... : empty CIB, quorate, with the given nodes online.
new_cib() {
  local f=$1 i=0 n
  shift
  cibadmin --empty >"$f" || return 1
  CIB_file=$f cibadmin --modify --xml-text '<cib have-quorum="1"/>' || return 1
  for n in "$@"; do
    i=$((i + 1))
    CIB_file=$f cibadmin -C -o nodes -X "<node id=\"$i\" uname=\"$n\"/>" || return 1
    # Online members: with fencing enabled, never-seen nodes would be
    # scheduled for fencing, a warning about the status, not the config.
    CIB_file=$f cibadmin -C -o status -X "<node_state id=\"$i\" uname=\"$n\" in_ccm=\"true\" \
crmd=\"online\" join=\"member\" expected=\"member\"/>" || return 1
  done
}

# Lines crmsh/crm_verify may print that do not point at our configuration:
# none, except Pacemaker's "Blind faith" warning, which is exactly what
# stonith-enabled=false means (unseen nodes are not fenced) and is accepted
# only when the CIB really has stonith-enabled=false.
noise_filter() {
  local cib=$1
  if CIB_file=$cib crm_attribute -t crm_config -n stonith-enabled -G -q 2>/dev/null | grep -x false >/dev/null; then
    grep -v -e 'Blind faith: not fencing unseen nodes' -e '^[[:space:]]*$'
  else
    grep -v -e '^[[:space:]]*$'
  fi
}

# check_load LABEL NODES FILE... : load files in order into a fresh CIB.
check_load() {
  local label=$1 nodes=$2 cib="$work/$1.xml" f out rc
  shift 2
  # shellcheck disable=SC2086 # NODES is a word list on purpose
  new_cib "$cib" $nodes || { bad "$label: could not create a test CIB"; return 1; }
  for f in "$@"; do
    out=$(CIB_file=$cib crm configure load update "$f" 2>&1)
    rc=$?
    out=$(noise_filter "$cib" <<<"$out")
    if [ $rc -ne 0 ] || grep -iE 'error|warning' <<<"$out" >/dev/null; then
      bad "$label: crm configure load update $(basename "$f") (rc=$rc): $out"
      return 1
    fi
  done
  ok "$label: crm configure load update (no error, no warning)"
  out=$(crm_verify -x "$cib" -V 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && [ -z "$out" ]; then
    ok "$label: crm_verify -V clean"
  else
    bad "$label: crm_verify -V (rc=$rc): $out"
  fi
  check_timeouts "$label" "$cib"
  out=$(CIB_file=$cib crm configure verify 2>&1)
  rc=$?
  out=$(noise_filter "$cib" <<<"$out")
  if [ $rc -eq 0 ] && [ -z "$out" ]; then
    ok "$label: crm configure verify clean"
  else
    bad "$label: crm configure verify (rc=$rc): $out"
  fi
}

# to_secs 30s|2min|120 -> seconds (the forms used in these files and the meta-data)
to_secs() {
  case "$1" in
    *min) echo $((${1%min} * 60)) ;;
    *ms) echo $((${1%ms} / 1000)) ;;
    *s) echo "${1%s}" ;;
    *) echo "$1" ;;
  esac
}

# check_timeouts LABEL CIB : every op of the galera primitive has a timeout
# at least what the agent's meta-data advises for that action (and role).
# crmsh checks this for start/stop but not for role-specific monitors.
check_timeouts() {
  local label=$1 cib=$2 i count op name role timeout adv short=()
  count=$(xmllint --xpath 'count(//primitive[@id="galera"]/operations/op)' "$cib" 2>/dev/null)
  for ((i = 1; i <= ${count:-0}; i++)); do
    op="(//primitive[@id='galera']/operations/op)[$i]"
    name=$(xmllint --xpath "string($op/@name)" "$cib")
    role=$(xmllint --xpath "string($op/@role)" "$cib")
    timeout=$(xmllint --xpath "string($op/@timeout)" "$cib")
    if [ -n "$role" ]; then
      adv=$(xmllint --xpath "string(//actions/action[@name='$name'][@role='$role']/@timeout)" "$meta")
    else
      adv=$(xmllint --xpath "string(//actions/action[@name='$name'][not(@role)]/@timeout)" "$meta")
    fi
    [ -n "$adv" ] || continue
    [ -n "$timeout" ] || timeout=60s # op_defaults in cluster.crm
    [ "$(to_secs "$timeout")" -ge "$(to_secs "$adv")" ] || short+=("$name${role:+($role)} $timeout < $adv")
  done
  if [ "${count:-0}" -gt 0 ] && [ ${#short[@]} -eq 0 ]; then
    ok "$label: galera op timeouts >= the agent's advised timeouts"
  else
    bad "$label: galera op timeouts below the agent's meta-data (or no ops): ${short[*]}"
  fi
}

summary() { sed -n '/^Transition Summary:/,/^Executing/p'; }

# expect_vip_move LABEL FROM WHAT SUMMARY : the transition moves the VIP off FROM.
expect_vip_move() {
  if grep -qE "\* Move +vip +\( *$2 -> " <<<"$4"; then
    ok "$1: $3 moves the VIP"
  else
    bad "$1: $3 did not move the VIP off $2: $4"
  fi
}

# check_behaviour LABEL CIB NODE... : scheduler scenarios on a configured CIB.
check_behaviour() {
  local label=$1 cib=$2 s="$work/$1-sim" out n vip other up=() count
  shift 2
  count=$#
  for n in "$@"; do up+=(-u "$n"); done
  crm_simulate -x "$cib" "${up[@]}" -S -O "$s.0.xml" >"$s.0.out" 2>&1
  if summary <"$s.0.out" | grep -E '\* (Start|Move) +vip' >/dev/null; then
    bad "$label: VIP started although no Galera instance can be promoted"
  else
    ok "$label: no promotion score, no Promoted instance, no VIP"
  fi
  # The agent gives every Synced node promotion score 100 (node attribute
  # master-galera). Promoted without galera-synced (the agent has not yet seen
  # the node Synced): no VIP anywhere.
  for n in "$@"; do
    CIB_file=$s.0.xml crm_attribute -N "$n" -l reboot -n master-galera -v 100 >/dev/null 2>&1
  done
  cp "$s.0.xml" "$s.nosynced.xml"
  crm_simulate -x "$s.nosynced.xml" -S -O "$s.nosynced.1.xml" >/dev/null 2>&1
  out=$(crm_simulate -x "$s.nosynced.1.xml" -S 2>&1)
  if grep -qE '\* (Start|Move) +vip' <<<"$out" || ! grep -q 'vip.*Stopped' <<<"$out"; then
    bad "$label: the VIP started on a Promoted node without galera-synced: $(summary <<<"$out")"
  else
    ok "$label: Promoted but galera-synced not yet published: no VIP"
  fi
  # With galera-synced=1 (what promote publishes once Synced) everything must come up.
  for n in "$@"; do
    CIB_file=$s.0.xml crm_attribute -N "$n" -l reboot -n galera-synced -v 1 >/dev/null 2>&1
  done
  crm_simulate -x "$s.0.xml" -S -O "$s.1.xml" >"$s.1.out" 2>&1
  crm_simulate -x "$s.1.xml" -S -O "$s.2.xml" >"$s.2.out" 2>&1
  CIB_file=$s.2.xml crm_mon -1 -r --output-as=xml >"$s.mon.xml" 2>/dev/null
  n=$(xmllint --xpath 'count(//resource[@id="galera"][@role="Promoted"])' "$s.mon.xml" 2>/dev/null)
  if [ "$n" = "$count" ]; then
    ok "$label: all $count Galera instances Promoted"
  else
    bad "$label: expected $count Promoted galera instances, got '$n'"
  fi
  n=$(xmllint --xpath 'count(//resource[@id="maxscale"][@role="Started"])' "$s.mon.xml" 2>/dev/null)
  if [ "$n" = "$count" ]; then
    ok "$label: MaxScale started on all $count nodes"
  else
    bad "$label: expected $count started maxscale instances, got '$n'"
  fi
  vip=$(xmllint --xpath 'string(//resource[@id="vip"][@role="Started"]/node/@name)' "$s.mon.xml" 2>/dev/null)
  if [ -n "$vip" ] \
    && xmllint --xpath "//resource[@id='galera'][@role='Promoted']/node[@name='$vip']" "$s.mon.xml" >/dev/null 2>&1 \
    && xmllint --xpath "//resource[@id='maxscale'][@role='Started']/node[@name='$vip']" "$s.mon.xml" >/dev/null 2>&1; then
    ok "$label: VIP on $vip, with Promoted galera and MaxScale"
  else
    bad "$label: VIP not placed with Promoted galera + MaxScale (vip on '$vip')"
    return 1
  fi
  other=node1
  [ "$vip" = node1 ] && other=node2
  out=$(crm_simulate -x "$s.2.xml" -i "maxscale_monitor_15000@$other=7" -S 2>&1 | summary)
  if grep -qE '\* [A-Za-z]+ +vip ' <<<"$out"; then
    bad "$label: MaxScale failing on $other (not the VIP node) touched the VIP: $out"
  else
    ok "$label: MaxScale failing on another node leaves the VIP alone"
  fi
  out=$(crm_simulate -x "$s.2.xml" -i "maxscale_monitor_15000@$vip=7" -S 2>&1 | summary)
  expect_vip_move "$label" "$vip" "MaxScale failing under the VIP" "$out"
  # A joiner still in its state transfer (longer than the promote timeout) is
  # Promoted with galera-synced=0: the VIP must leave it.
  cp "$s.2.xml" "$s.unsynced.xml"
  CIB_file=$s.unsynced.xml crm_attribute -N "$vip" -l reboot -n galera-synced -v 0 >/dev/null 2>&1
  out=$(crm_simulate -x "$s.unsynced.xml" -S 2>&1 | summary)
  expect_vip_move "$label" "$vip" "galera-synced=0 on the VIP node" "$out"
  # Issue 16: every node serving (1); the VIP node desynced (a Donor, an admin's wsrep_desync): the VIP
  # moves to a serving node; the desynced node serving again: the VIP stays (stickiness); every node
  # desynced: the VIP stays where it is instead of stopping.
  cp "$s.2.xml" "$s.serving.xml"
  for n in "$@"; do CIB_file=$s.serving.xml crm_attribute -N "$n" -l reboot -n galera-synced -v 1 >/dev/null 2>&1; done
  out=$(crm_simulate -x "$s.serving.xml" -S 2>&1 | summary)
  if grep -qE '\* [A-Za-z]+ +vip ' <<<"$out"; then
    bad "$label: every node at galera-synced=1 moved the VIP: $out"
  else
    ok "$label: every node serving leaves the VIP where it is"
  fi
  cp "$s.serving.xml" "$s.desynced.xml"
  CIB_file=$s.desynced.xml crm_attribute -N "$vip" -l reboot -n galera-synced -v desynced >/dev/null 2>&1
  crm_simulate -x "$s.desynced.xml" -S -O "$s.moved.xml" >"$s.moved.out" 2>&1
  expect_vip_move "$label" "$vip" "galera-synced=desynced on the VIP node" "$(summary <"$s.moved.out")"
  CIB_file=$s.moved.xml crm_attribute -N "$vip" -l reboot -n galera-synced -v 1 >/dev/null 2>&1
  out=$(crm_simulate -x "$s.moved.xml" -S 2>&1 | summary)
  if grep -qE '\* [A-Za-z]+ +vip ' <<<"$out"; then
    bad "$label: the VIP moved back to $vip once it was serving again (flapping): $out"
  else
    ok "$label: the VIP stays on its new node when $vip serves again (stickiness)"
  fi
  cp "$s.serving.xml" "$s.alldesynced.xml"
  for n in "$@"; do CIB_file=$s.alldesynced.xml crm_attribute -N "$n" -l reboot -n galera-synced -v desynced >/dev/null 2>&1; done
  out=$(crm_simulate -x "$s.alldesynced.xml" -S 2>&1 | summary)
  if grep -qE '\* [A-Za-z]+ +vip ' <<<"$out"; then
    bad "$label: every node desynced touched the VIP (it must stay on a desynced node): $out"
  else
    ok "$label: every node desynced: the VIP stays where it is"
  fi
  # A failing monitor sets galera-synced=0 before it returns (actions/monitor.rs,
  # withdraw_claims); the scheduler sees both.
  cp "$s.2.xml" "$s.failing.xml"
  CIB_file=$s.failing.xml crm_attribute -N "$vip" -l reboot -n galera-synced -v 0 >/dev/null 2>&1
  out=$(crm_simulate -x "$s.failing.xml" -i "galera_monitor_2000@$vip=1" -S 2>&1 | summary)
  if grep -qE "\* (Stop|Move|Restart) +vip " <<<"$out"; then
    ok "$label: Galera failing under the VIP takes the VIP down first"
  else
    bad "$label: Galera failing on the VIP node left the VIP running: $out"
  fi
  # mariadbd crashed under the VIP (the Promoted monitor returns 9): the VIP's
  # start elsewhere waits for its own stop only, not for the failed node's
  # recovery (its stop, start and promote, IST or SST), and that node's demote
  # waits for the VIP to leave.
  crm_simulate -x "$s.failing.xml" -i "galera_monitor_2000@$vip=9" -S -G "$s.crash-graph.xml" >/dev/null 2>&1
  local start_in demote_in
  start_in=$(xmllint --xpath '//synapse[action_set/rsc_op[@operation="start"]/primitive[@id="vip"]]/inputs//@operation_key' \
    "$s.crash-graph.xml" 2>/dev/null | tr -s ' \n' ' ')
  demote_in=$(xmllint --xpath '//synapse[action_set/pseudo_event[@operation_key="galera-clone_demote_0"]]/inputs//@operation_key' \
    "$s.crash-graph.xml" 2>/dev/null | tr -s ' \n' ' ')
  if [ -n "$start_in" ] && grep -q 'vip_stop_0' <<<"$start_in" && ! grep -qE 'galera|promote' <<<"$start_in"; then
    ok "$label: after a crash under the VIP, the VIP's start elsewhere waits only for its stop ($start_in)"
  else
    bad "$label: the VIP's start after a crash under it waits for more than its stop: [${start_in:-no vip start}]"
  fi
  if grep -q 'vip_stop_0' <<<"$demote_in"; then
    ok "$label: the crashed node is demoted after the VIP left it"
  else
    bad "$label: the demote does not wait for the VIP's stop: [${demote_in:-no clone demote}]"
  fi
}

# check_arbitrator LABEL CIB : two data nodes + garbd (arbitrator.crm): garbd runs
# on node3 only, no galera instance there; with node3 down garbd stays stopped
# (never moves to a data node) and the data nodes keep their instances.
check_arbitrator() {
  local label=$1 cib=$2 s="$work/$1.arb" on n down
  crm_simulate -x "$cib" -S -O "$s.sim.xml" >/dev/null 2>&1
  CIB_file=$s.sim.xml crm_mon -1 -r --output-as=xml >"$s.mon.xml" 2>/dev/null
  on=$(xmllint --xpath "string(//resource[@id='garbd'][@role='Started']/node/@name)" "$s.mon.xml" 2>/dev/null)
  if [ "$on" = node3 ]; then
    ok "$label: garbd runs on node3"
  else
    bad "$label: garbd placed on '$on', not node3"
  fi
  n=$(xmllint --xpath "count(//clone[@id='galera-clone']/resource[node/@name='node3'])" "$s.mon.xml" 2>/dev/null)
  if [ "$n" = 0 ]; then
    ok "$label: no galera instance on the arbitrator's node3"
  else
    bad "$label: $n galera instance(s) on node3"
  fi
  n=$(xmllint --xpath "count(//rsc_location[@rsc='galera-clone'][@node='node3'][@resource-discovery='never'])" "$cib" 2>/dev/null)
  if [ "$n" = 1 ]; then
    ok "$label: the galera clone is never probed on node3 (resource-discovery=never)"
  else
    bad "$label: no resource-discovery=never location of galera-clone on node3"
  fi
  crm_simulate -x "$s.sim.xml" -S --node-fail=node3 -O "$s.down.xml" >/dev/null 2>&1
  CIB_file=$s.down.xml crm_mon -1 -r --output-as=xml >"$s.down-mon.xml" 2>/dev/null
  down=$(xmllint --xpath "string(//resource[@id='garbd'][@role='Started']/node/@name)" "$s.down-mon.xml" 2>/dev/null)
  n=$(xmllint --xpath "count(//clone[@id='galera-clone']/resource[@role!='Stopped'])" "$s.down-mon.xml" 2>/dev/null)
  if [ -z "$down" ] && [ "$n" = 2 ]; then
    ok "$label: node3 lost: garbd stays stopped (never on a data node), both galera instances stay"
  else
    bad "$label: node3 lost: garbd on '$down', $n galera instance(s) active"
  fi
}

# --- crmsh files ---------------------------------------------------------------
main_cib=
for f in "$ex"/*.crm; do
  name=$(basename "$f" .crm)
  case "$name" in
    cluster)
      check_load "$name" "node1 node2 node3" "$f" && main_cib="$work/$name.xml" ;;
    two-node)
      check_load "$name" "node1 node2" "$ex/cluster.crm" "$f" ;;
    *)
      check_load "$name" "node1 node2 node3" "$ex/cluster.crm" "$f" ;;
  esac
done
[ -n "$main_cib" ] && check_behaviour crmsh "$main_cib" node1 node2 node3
[ -f "$work/two-node.xml" ] && check_behaviour two-node "$work/two-node.xml" node1 node2
[ -f "$work/arbitrator.xml" ] && check_arbitrator arbitrator "$work/arbitrator.xml"
# Fencing: each device runs, and never on the node it fences.
if [ -f "$work/fencing.xml" ]; then
  crm_simulate -x "$work/fencing.xml" -S -O "$work/fencing-sim.xml" >/dev/null 2>&1
  CIB_file=$work/fencing-sim.xml crm_mon -1 -r --output-as=xml >"$work/fencing-mon.xml" 2>/dev/null
  for n in node1 node2 node3; do
    on=$(xmllint --xpath "string(//resource[@id='fence-$n'][@role='Started']/node/@name)" "$work/fencing-mon.xml" 2>/dev/null)
    if [ -n "$on" ] && [ "$on" != "$n" ]; then
      ok "fencing: fence-$n runs on $on, not on the node it fences"
    else
      bad "fencing: fence-$n placed on '$on'"
    fi
  done
fi

# --- the same configuration through pcs ---------------------------------------
pcs_cib="$work/pcs.xml"
if new_cib "$pcs_cib" node1 node2 node3 \
  && out=$(bash "$ex/pcs-setup.sh" "$pcs_cib" 2>&1); then
  ok "pcs-setup.sh ran against a test CIB (pcs -f)"
  out=$(crm_verify -x "$pcs_cib" -V 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && [ -z "$out" ]; then
    ok "pcs: crm_verify -V clean"
  else
    bad "pcs: crm_verify -V (rc=$rc): $out"
  fi
  # Same resources, clone meta and constraints as cluster.crm (ids included,
  # so docs and tests can name them whichever tool was used).
  if [ -n "$main_cib" ]; then
    q='concat(count(//primitive), "/", count(//clone), "/", count(//rsc_colocation), "/", count(//rsc_order), "/",
      //clone[@id="galera-clone"]//nvpair[@name="promotable"]/@value, //clone[@id="galera-clone"]//nvpair[@name="promoted-max"]/@value,
      //clone[@id="galera-clone"]//nvpair[@name="notify"]/@value)'
    a=$(xmllint --xpath "$q" "$main_cib" 2>/dev/null)
    b=$(xmllint --xpath "$q" "$pcs_cib" 2>/dev/null)
    ids='//constraints/*/@id | //resources//primitive/@id | //resources/clone/@id'
    ia=$(xmllint --xpath "$ids" "$main_cib" 2>/dev/null | tr ' ' '\n' | sort | tr '\n' ' ')
    ib=$(xmllint --xpath "$ids" "$pcs_cib" 2>/dev/null | tr ' ' '\n' | sort | tr '\n' ' ')
    if [ "$a" = "$b" ] && [ "$ia" = "$ib" ]; then
      ok "pcs: same resources, clones and constraints as cluster.crm ($a)"
    else
      bad "pcs: differs from cluster.crm: crmsh=$a [$ia] pcs=$b [$ib]"
    fi
  fi
  check_timeouts pcs "$pcs_cib"
  check_behaviour pcs "$pcs_cib" node1 node2 node3
else
  bad "pcs-setup.sh failed: $out"
fi

# --- the arbitrator configuration through pcs (pcs-setup.sh, then pcs-arbitrator.sh)
arb_cib="$work/pcs-arbitrator.xml"
if new_cib "$arb_cib" node1 node2 node3 \
  && out=$(bash "$ex/pcs-setup.sh" "$arb_cib" 2>&1 && bash "$ex/pcs-arbitrator.sh" "$arb_cib" 2>&1); then
  ok "pcs-arbitrator.sh ran against a test CIB after pcs-setup.sh (pcs -f)"
  out=$(crm_verify -x "$arb_cib" -V 2>&1)
  rc=$?
  if [ $rc -eq 0 ] && [ -z "$out" ]; then
    ok "pcs-arbitrator: crm_verify -V clean"
  else
    bad "pcs-arbitrator: crm_verify -V (rc=$rc): $out"
  fi
  check_arbitrator pcs-arbitrator "$arb_cib"
else
  bad "pcs-arbitrator.sh failed: $out"
fi

# --- non-crm files exist and say what they must ------------------------------
for f in README.md manual-bootstrap.md migrate-from-stock.md galera.cnf pcs-setup.sh pcs-arbitrator.sh; do
  if [ -s "$ex/$f" ]; then ok "crm-examples/$f present"; else bad "crm-examples/$f missing"; fi
done
if [ -s "$ex/galera.cnf" ]; then
  for key in wsrep_on wsrep_provider wsrep_cluster_name wsrep_sst_method wsrep_sst_auth \
    binlog_format innodb_autoinc_lock_mode; do
    if grep -qE "^[#[:space:]]*${key}[[:space:]]*=" "$ex/galera.cnf"; then
      ok "galera.cnf sets $key"
    else
      bad "galera.cnf does not mention $key"
    fi
  done
fi
# mariadbd itself parses galera.cnf: --help --verbose reads every option
# (unknown variables and the wsrep option checks abort it) and starts nothing.
# (mariadbd is a required tool, checked at the top: its absence already failed the run.)
if [ -s "$ex/galera.cnf" ]; then
  out=$(mariadbd --defaults-file="$ex/galera.cnf" --user=mysql --help --verbose 2>"$work/cnf.err")
  rc=$?
  if [ $rc -eq 0 ] && ! grep -q '\[ERROR\]' "$work/cnf.err" \
    && grep -qE '^wsrep-on +TRUE' <<<"$out" && grep -qE '^innodb-autoinc-lock-mode +2' <<<"$out" \
    && grep -qE '^binlog-format +ROW' <<<"$out"; then
    ok "mariadbd accepts galera.cnf (wsrep on, ROW, autoinc lock mode 2)"
  else
    bad "mariadbd rejects galera.cnf (rc=$rc): $(grep -v max_open_files "$work/cnf.err" | head -3)"
  fi
else
  bad "crm-examples/galera.cnf missing or empty: mariadbd cannot check it"
fi
# galera.cnf against cluster.crm's galera parameters, as validate-all compares
# them on a node (datadir/socket/pid-file, wsrep_on, provider, ROW, address).
check_cnf_against_crm() {
  local cib=$1 cnf=$2 i count name value env=() out rc
  count=$(xmllint --xpath 'count(//primitive[@id="galera"]/instance_attributes/nvpair)' "$cib" 2>/dev/null)
  for ((i = 1; i <= ${count:-0}; i++)); do
    name=$(xmllint --xpath "string((//primitive[@id='galera']/instance_attributes/nvpair)[$i]/@name)" "$cib")
    value=$(xmllint --xpath "string((//primitive[@id='galera']/instance_attributes/nvpair)[$i]/@value)" "$cib")
    env+=("OCF_RESKEY_$name=$value")
  done
  out=$(env -i PATH="$PATH" OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE=galera \
    OCF_RESKEY_CRM_meta_on_node=node1 "${env[@]}" OCF_RESKEY_config="$cnf" \
    "$work/ocf/galera-ocf/galera" validate-all 2>&1)
  rc=$?
  if [ "${count:-0}" -gt 0 ] && [ $rc -eq 0 ] && ! grep -qE 'WARNING|ocf-exit-reason' <<<"$out"; then
    ok "galera.cnf agrees with cluster.crm's galera parameters (validate-all clean)"
  else
    bad "galera.cnf vs cluster.crm parameters: validate-all rc=$rc: $out"
  fi
}
if [ -n "$main_cib" ] && [ "$meta" = "$work/ours.xml" ] && [ -s "$ex/galera.cnf" ]; then
  check_cnf_against_crm "$main_cib" "$ex/galera.cnf"
else
  bad "cannot check galera.cnf against cluster.crm (needs the loaded cluster.crm and our binary)"
fi
if [ -s "$ex/manual-bootstrap.md" ]; then
  for cmd in 'galera-ocf status' 'galera-ocf bootstrap --force' 'crm resource maintenance' 'crm configure property maintenance-mode'; do
    if grep -qF "$cmd" "$ex/manual-bootstrap.md"; then
      ok "manual-bootstrap.md shows '$cmd'"
    else
      bad "manual-bootstrap.md lacks '$cmd'"
    fi
  done
fi

finish
