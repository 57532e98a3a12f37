# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Failover: one node lost while the two others go on serving. The VIP answers from another node, writes go on,
# nobody starts a new cluster, and the lost node comes back as a full member: Promoted again, proven on the
# node itself (`rejoined` in tests/lab/e2e), by IST, or by a full SST that outlasts the promote timeout.
# Sourced by tests/lab/e2e, which provides the helpers and runs every registered scenario in the order of its
# rank (`register_scenario NAME RANK`).
#
# Scenarios (both agents unless marked [ours only]; with the stock agent those log "skipped" and pass):
#   failover      power loss of the VIP node under writes, then power-on: the VIP answers from another node,
#                 writes resume, the node is Promoted again and rejoined by IST; rows on every node.
#   partition     the VIP node's link goes down under writes, later up again: the majority keeps the VIP and
#                 the writes, the isolated node stops its mariadbd (no-quorum-policy=stop), nobody
#                 bootstraps; after the heal it is Promoted again by IST, still no bootstrap; rows. With
#                 fencing (LAB_FENCING=1) the majority fences it, and the heal is its power-on.
#   mysqld-crash  kill -9 of mariadbd alone on the VIP node (Pacemaker stays up): the monitor notices, the VIP
#                 moves, the node is Promoted again by IST (its position recovered after the crash; ours: no
#                 Primary view restored from gvwstate.dat), nobody bootstraps, the recorded failure is
#                 cleaned up; rows.
#   vip-serving   [ours only] on the VIP node an admin sets wsrep_desync=ON, later wsrep_reject_queries=ALL:
#                 the VIP answers from another node each time, writes go on, the node stays Promoted (no
#                 failure, no restart); back to OFF/NONE the attribute is 1 again and the VIP stays where it
#                 is; all three desynced at once: the VIP stays and answers (a desynced node is the fallback).
#   slow-sst      [ours only] a rejoin by full SST that outlasts `op promote timeout=30s`: the transfer
#                 completes, the joiner is Promoted with galera-synced=0 meanwhile, its mariadbd is never
#                 restarted, no failure recorded, the VIP never on it before it is Synced; rows.

# ---- failover -------------------------------------------------------------------------------------------
register_scenario failover 20
scenario_failover() {
  local v t0
  ensure_lab || return 1
  start_writer
  wait_acks 20
  v=$(vip_node)
  log "  VIP is on $v; power loss of $v under writes"
  mark_logs
  t0=$(now)
  power_kill "$v"
  check "VIP answers from another node" wait_for "VIP answering elsewhere" 120 \
    vip_answers_elsewhere "$v"
  echo "TIMING failover $(elapsed "$t0")"
  check "writes resume" wait_acks 5
  echo "TIMING failover-write-outage $(write_outage_after "$t0")"
  t0=$(now)
  start_node "$v"
  check "$v is Promoted again (its new mariadbd Synced in the Primary component, promote recorded after power-on)" \
    wait_for "$v Promoted again, proven on $v" 240 rejoined "$v" "" "$t0"
  echo "TIMING rejoin $(elapsed "$t0")"
  show_rejoin "$v" "" "$t0"
  check_rejoin_by_ist "$v"

  check_all_up
  wait_acks 10
  stop_writer_wait
  check_rows
}

# ---- partition ------------------------------------------------------------------------------------------
# A network partition: the VIP node's link goes down. It keeps running, alone and without quorum, so
# Pacemaker there stops its resources (no-quorum-policy=stop) and its Galera member is non-Primary; the
# majority keeps the Primary component and takes the VIP. Asserts: the VIP answers from the majority, writes
# go on, the isolated node's mariadbd is stopped, nobody bootstraps; after the link is back the node is
# Promoted again by IST (proven on the node, see `rejoined`), still without any bootstrap; rows on every node.
# While isolated, the node's monitor may record a failure (mariadbd non-Primary, rc 9) before the no-quorum
# stop: a correct report, cleaned up at the end so that the scenario can be repeated (migration-threshold=3
# would ban galera from a node isolated three times within failure-timeout).
register_scenario partition 70
scenario_partition() {
  local v n t0 others=()
  ensure_lab || return 1
  start_writer
  wait_acks 10
  v=$(vip_node)
  for n in "${NODES[@]}"; do [ "$n" = "$v" ] || others+=("$n"); done
  export LAB_VIEW_NODE=${others[0]}
  mark_logs
  log "  $v (VIP) loses its network link; it keeps running alone"
  mark_helper_log
  t0=$(now)
  ip link set "$(veth_of "$v")" down
  check "VIP answers from the majority (${others[*]})" wait_for "VIP answering elsewhere" 120 \
    vip_answers_elsewhere "$v"
  echo "TIMING partition-failover $(elapsed "$t0")"
  check "writes go on" wait_acks 5
  check "$v, without quorum, stopped its mariadbd" wait_for "$v's mariadbd stopped" 120 mariadbd_gone "$v"
  check "nobody bootstrapped during the partition" none_bootstrapped
  t0=$(now)
  if fencing_on; then
    # With fencing the majority powers the isolated node off (stonith-action=off): the heal is its power-on.
    check "the majority fenced $v (the fence helper powered it off)" \
      wait_for "the helper's POWER-OFF $v" 120 helper_log_has "POWER-OFF $v"
    wait_for "$v powered off" 30 bash -c "! [ -s '$(state "$v.init")' ]" || true
    log "  $v was fenced; it is powered on again"
    t0=$(now)
    start_node "$v"
  else
    log "  $v's link comes back"
    ip link set "$(veth_of "$v")" up
  fi
  check "$v is Promoted again (its new mariadbd Synced in the Primary component, promote recorded after the heal)" \
    wait_for "$v Promoted again, proven on $v" 240 rejoined "$v" "" "$t0"
  echo "TIMING partition-heal $(elapsed "$t0")"
  show_rejoin "$v" "" "$t0"
  check_rejoin_by_ist "$v"
  check "nobody bootstrapped" none_bootstrapped
  unset LAB_VIEW_NODE
  failcount_zero "$v" || log "  (the failure $v's monitor recorded while isolated is cleaned up now)"
  cleanup_and_check_rows
}

# ---- mysqld-crash ---------------------------------------------------------------------------------------
# The most common failure: mariadbd alone dies (kill -9) on the VIP node; the node, Pacemaker and corosync
# stay up. Asserts: the monitor notices, the VIP answers from another node, the node is Promoted again by IST
# (so its position, lost from grastate.dat by the crash, was recovered) and, with our agent, without
# restoring the crashed incarnation's Primary view from gvwstate.dat; nobody bootstraps; the recorded
# failure is cleaned up at the end (later scenarios expect none); rows on every node.
register_scenario mysqld-crash 80
scenario_mysqld-crash() {
  local v pid t0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  v=$(vip_node)
  pid=$(mariadbd_pid "$v")
  check "precondition: $v runs mariadbd (pid ${pid:-none})" [ -n "$pid" ]
  [ -n "$pid" ] || return 1
  mark_logs
  log "  kill -9 of mariadbd (pid $pid) on $v (VIP); the node itself stays up"
  t0=$(now)
  kill -9 "$pid"
  check "VIP answers from another node" wait_for "VIP answering elsewhere" 120 \
    vip_answers_elsewhere "$v"
  echo "TIMING mysqld-crash-failover $(elapsed "$t0")"
  check "writes go on" wait_acks 5
  check "$v is Promoted again (a new mariadbd Synced in the Primary component, promote recorded after the kill)" \
    wait_for "$v Promoted again, proven on $v" 240 rejoined "$v" "$pid" "$t0"
  echo "TIMING mysqld-crash-recovery $(elapsed "$t0")"
  show_rejoin "$v" "$pid" "$t0"
  # IST needs the position the crash left unrecorded in grastate.dat (recovered with --wsrep-recover);
  # without it the node would need a full SST.
  check_rejoin_by_ist "$v"
  # The crash left gvwstate.dat; restored at the quick restart, it held the join up for ~20 s while the
  # peers still had the crashed incarnation in their view (actions/promote.rs join, edge/lastview.rs).
  [ "$LAB_AGENT" != ours ] ||
    check "$v's new mariadbd restored no Primary view from gvwstate.dat (no 'restore pc from disk successfully')" \
      no_pc_restore "$v"
  check "nobody bootstrapped" none_bootstrapped
  cleanup_and_check_rows
}
no_pc_restore() { ! log_has "$1" 'restore pc from disk successfully'; }

# ---- vip-serving (issue 16) -----------------------------------------------------------------------------
# What: the VIP only where clients are served. The agent publishes <rsc>-synced = 1 (serving), desynced (a
#   fallback: Donor, Joined, wsrep_desync=ON or read_only=ON) or 0 (refuses queries, or not in a Primary
#   component); cluster.crm's rules keep the VIP off 0 and prefer 1 by more than resource-stickiness. On the
#   VIP node V: SET GLOBAL wsrep_desync=ON, then OFF; on the VIP node W of then: SET GLOBAL
#   wsrep_reject_queries=ALL (MariaDB still answers the monitor's SHOW statements), then NONE; on the VIP node
#   X of then: SET GLOBAL read_only=ON, then OFF; in between all three nodes desynced at once.
# Asserts: V publishes desynced, the VIP answers from another node within the bound, writes go on; after OFF
#   V publishes 1 again and the VIP does not move back (stickiness: the serving node it is on keeps it, one
#   move, no flap); all three desynced, the VIP node last: the VIP stays on it and answers (a desynced node
#   is the fallback when nobody serves), writes go on, and it stays there when they serve again (no VIP start
#   anywhere meanwhile); W with reject_queries=ALL publishes 0 and the VIP answers from another node; after
#   NONE W is 1 again; X with read_only=ON publishes desynced and the VIP answers from another node; no failed
#   action, no fail-count (desync and reject_queries move the VIP only, they never restart mariadbd); rows.
#   The variables are reset on every node whatever happens.
register_scenario vip-serving 85
VIP_SERVING_BOUND=${VIP_SERVING_BOUND:-60}
serving_attr() { node_exec "$1" crm_attribute -N "$1" -l reboot -n "$GALERA_RSC-synced" --query -q 2>/dev/null; }
serving_attr_is() { [ "$(serving_attr "$1")" = "$2" ]; }
vip_answers_from() { [ "$(sql_vip 'SELECT @@hostname' 2>/dev/null)" = "$1" ]; }
vip_not_on() { local n; n=$(vip_node); [ -n "$n" ] && [ "$n" != "$1" ]; }
# vip_left NODE: crm_mon answered and the VIP is not active on NODE (stopped or elsewhere); an unanswered
# crm_mon (CIB busy) proves nothing and is not a move.
vip_left() {
  local xml n
  xml=$(crm_mon_xml) && [ -n "$xml" ] || return 1
  n=$(xmllint --xpath "//resource[@id='vip'][@role='Started'][@active='true']/node/@name" - <<<"$xml" 2>/dev/null |
    sed -E 's/ name="([^"]*)"/\1/')
  [ "$n" != "$1" ]
}
# vip_started_since EPOCH: Pacemaker's history has a successful start of the VIP at/after EPOCH on any node
# (a move away and back between two looks leaves this trace).
vip_started_since() {
  local n
  for n in "${NODES[@]}"; do op_since "$n" vip start "$1" && return 0; done
  return 1
}
vip_not_started_since() { ! vip_started_since "$1"; }
set_global() { sql_node "$1" "SET GLOBAL $2" </dev/null; }
vip_serving_reset() {
  local n
  for n in "${NODES[@]}"; do
    node_running "$n" 2>/dev/null || continue
    set_global "$n" "wsrep_reject_queries=NONE" >/dev/null 2>&1 || true
    set_global "$n" "wsrep_desync=OFF" >/dev/null 2>&1 || true
    set_global "$n" "read_only=OFF" >/dev/null 2>&1 || true
  done
}
scenario_vip-serving() {
  local rc
  ours_only vip-serving || return 0
  ensure_lab || return 1
  vip_serving_steps
  rc=$?
  vip_serving_reset
  stop_writer_wait
  return $rc
}
vip_serving_steps() {
  local v w x n t0 others
  start_writer
  wait_acks 10
  v=$(vip_node)
  check "precondition: the VIP is on $v and $v publishes 1" serving_attr_is "$v" 1 || return 1
  log "  $v (VIP): SET GLOBAL wsrep_desync=ON (an admin's backup)"
  t0=$(now)
  check "SET GLOBAL wsrep_desync=ON on $v" set_global "$v" "wsrep_desync=ON" || return 1
  check "$v publishes desynced" wait_for "$v: $GALERA_RSC-synced=desynced" 30 serving_attr_is "$v" desynced
  check "the VIP answers from another node than the desynced $v" \
    wait_for "VIP elsewhere than $v" "$VIP_SERVING_BOUND" vip_answers_elsewhere "$v" || return 1
  echo "TIMING vip-serving-desync $(elapsed "$t0")"
  check "writes go on" wait_acks 5
  w=$(vip_node)
  log "  $v: SET GLOBAL wsrep_desync=OFF"
  check "SET GLOBAL wsrep_desync=OFF on $v" set_global "$v" "wsrep_desync=OFF"
  check "$v publishes 1 again" wait_for "$v: $GALERA_RSC-synced=1" 30 serving_attr_is "$v" 1
  check "the VIP stays on $w (stickiness: no move back to $v)" never_within 15 vip_left "$w"

  # The two others first, the VIP node last: when the last serving node is desynced nobody serves, and the
  # VIP must stay on it rather than stop (desynced is not 0). Back: the VIP node first, so it serves again
  # before the others and the VIP has no reason to move at all.
  others=()
  for n in "${NODES[@]}"; do [ "$n" = "$w" ] || others+=("$n"); done
  t0=$(now)
  log "  ${others[*]}, then $w (VIP): SET GLOBAL wsrep_desync=ON (nobody left serving in sync)"
  for n in "${others[@]}" "$w"; do
    check "SET GLOBAL wsrep_desync=ON on $n" set_global "$n" "wsrep_desync=ON"
    check "$n publishes desynced" wait_for "$n: $GALERA_RSC-synced=desynced" 30 serving_attr_is "$n" desynced
  done
  check "the VIP stays on $w and answers while every node is desynced" never_within 15 vip_left "$w"
  check "the VIP answers from $w" vip_answers_from "$w"
  check "writes go on" wait_acks 5
  for n in "$w" "${others[@]}"; do
    check "SET GLOBAL wsrep_desync=OFF on $n" set_global "$n" "wsrep_desync=OFF"
    check "$n publishes 1 again" wait_for "$n: $GALERA_RSC-synced=1" 30 serving_attr_is "$n" 1
  done
  check "the VIP is still on $w" vip_answers_from "$w"
  check "the VIP was not started anywhere meanwhile (no move away and back)" vip_not_started_since "$t0"

  w=$(vip_node)
  log "  $w (VIP): SET GLOBAL wsrep_reject_queries=ALL"
  t0=$(now)
  check "SET GLOBAL wsrep_reject_queries=ALL on $w" set_global "$w" "wsrep_reject_queries=ALL" || return 1
  check "$w publishes 0" wait_for "$w: $GALERA_RSC-synced=0" 30 serving_attr_is "$w" 0
  check "the VIP answers from another node than $w (rejecting queries)" \
    wait_for "VIP elsewhere than $w" "$VIP_SERVING_BOUND" vip_answers_elsewhere "$w" || return 1
  echo "TIMING vip-serving-reject $(elapsed "$t0")"
  check "writes go on" wait_acks 5
  x=$(vip_node)
  check "$w is still Promoted (reject_queries moves the VIP, it fails nothing)" is_promoted "$w"
  log "  $w: SET GLOBAL wsrep_reject_queries=NONE"
  check "SET GLOBAL wsrep_reject_queries=NONE on $w" set_global "$w" "wsrep_reject_queries=NONE"
  check "$w publishes 1 again" wait_for "$w: $GALERA_RSC-synced=1" 30 serving_attr_is "$w" 1
  check "the VIP stays on $x" never_within 15 vip_left "$x"

  log "  $x (VIP): SET GLOBAL read_only=ON"
  check "SET GLOBAL read_only=ON on $x" set_global "$x" "read_only=ON" || return 1
  check "$x publishes desynced (read_only: a fallback)" wait_for "$x: $GALERA_RSC-synced=desynced" 30 serving_attr_is "$x" desynced
  check "the VIP answers from another node than the read_only $x" \
    wait_for "VIP elsewhere than $x" "$VIP_SERVING_BOUND" vip_answers_elsewhere "$x" || return 1
  check "$x is still Promoted (read_only at the default check level moves the VIP only)" is_promoted "$x"
  check "SET GLOBAL read_only=OFF on $x" set_global "$x" "read_only=OFF"
  check "$x publishes 1 again" wait_for "$x: $GALERA_RSC-synced=1" 30 serving_attr_is "$x" 1
  check "no failed actions (nothing was restarted)" no_failed_actions
  for n in "${NODES[@]}"; do check "fail-count of $GALERA_RSC on $n is 0" failcount_zero "$n"; done
  check_all_up
  wait_acks 10
  stop_writer_wait
  check_rows
}

# ---- slow-sst -------------------------------------------------------------------------------------------
# resource-agents PR #954: a state transfer that outlasts the promote timeout. For this scenario only:
# op promote timeout=30s on the resource (promote_wait_synced as the resource has it: the default, true,
# unless SLOW_SST_WAIT_SYNCED=false asks for the early hand-over), and the joiner asks for the lab's
# rsync_slow SST method (the donor sleeps SST_DELAY s, default 60, before rsync). The joiner's datadir is
# replaced by an empty one so it needs a full SST. Asserts: the transfer completes, the joiner's mariadbd is
# never restarted (same PID, fail-count 0, no failed action), it is Promoted with galera-synced=0 meanwhile,
# and the VIP is never on it while galera-synced is not 1. The normal configuration is restored at the end
# (on any exit of the scenario; if that fails the lab is torn down, so the next scenario boots a fresh one).
SST_DELAY=${SST_DELAY:-60}
SLOW_PROMOTE_TIMEOUT=30s
SLOW_SST_WAIT_SYNCED=${SLOW_SST_WAIT_SYNCED:-default}
register_scenario slow-sst 110
scenario_slow-sst() {
  local j=node3 t0 pid0="" pid n deadline synced vip vip_seen="" changes=0 vip_bad=0 promoted_unsynced=0 t_prom=""
  ours_only slow-sst || return 0
  ensure_lab || return 1
  trap slow_sst_restore EXIT
  log "  promote_wait_synced=$SLOW_SST_WAIT_SYNCED, op promote timeout=$SLOW_PROMOTE_TIMEOUT"
  node_exec node1 cibadmin --modify --xml-text "<op id=\"$GALERA_RSC-promote-0\" timeout=\"$SLOW_PROMOTE_TIMEOUT\"/>"
  if [ "$SLOW_SST_WAIT_SYNCED" = false ]; then
    node_exec node1 crm_resource -r "$GALERA_RSC" --set-parameter promote_wait_synced --parameter-value false
  fi
  settle
  check "precondition: the CIB says promote_wait_synced=$SLOW_SST_WAIT_SYNCED" \
    bash -c "v=\$(nsenter -t $(node_init_pid node1) -a -- crm_resource -r $GALERA_RSC --get-parameter promote_wait_synced 2>/dev/null); [ \"\${v:-default}\" = $SLOW_SST_WAIT_SYNCED ]"
  check "precondition: the CIB says op promote timeout=$SLOW_PROMOTE_TIMEOUT" \
    bash -c "nsenter -t $(node_init_pid node1) -a -- cibadmin -Q --xpath \"//op[@id='$GALERA_RSC-promote-0'][@timeout='$SLOW_PROMOTE_TIMEOUT']\" >/dev/null 2>&1"
  check_all_up || return 1
  start_writer
  wait_acks 10
  log "  $j loses power; its datadir is replaced by an empty one; it will ask for rsync_slow (${SST_DELAY} s delay)"
  power_kill "$j"
  rm -rf "$LAB_DIR/nodes/$j/var-lib-mysql"
  cp -a "$LAB_DIR/cache/datadir" "$LAB_DIR/nodes/$j/var-lib-mysql"
  rm -f "$LAB_DIR/nodes/$j/var-lib-mysql/.complete"
  printf '# slow-sst scenario (removed at its end)\n[mysqld]\nwsrep_sst_method = rsync_slow\n' \
    >"$LAB_DIR/nodes/$j/etc-mysql/mariadb.conf.d/99-zz-slow-sst.cnf"
  for n in "${NODES[@]}"; do echo "$SST_DELAY" >"$LAB_DIR/nodes/$n/etc-mysql/lab-sst-delay"; done
  wait_acks 10
  mark_logs
  t0=$(now)
  start_node "$j"
  deadline=$((SECONDS + SST_DELAY + 240))
  while [ $SECONDS -lt $deadline ]; do
    pid=$(mariadbd_pid "$j")
    synced=$(node_exec "$j" crm_attribute -N "$j" -l reboot -n "$GALERA_RSC-synced" --query -q 2>/dev/null)
    vip=$(vip_node)
    if [ -n "$pid" ]; then
      [ -n "$pid0" ] || { pid0=$pid; log "  $j mariadbd pid $pid"; }
      [ "$pid" = "$pid0" ] || { changes=$((changes + 1)); log "  $j mariadbd pid changed: $pid0 -> $pid"; pid0=$pid; }
    fi
    [ -z "$vip" ] || [[ " $vip_seen " == *" $vip "* ]] || vip_seen+=" $vip"
    # The VIP "on $j": the address configured on its interface (what clients reach), or crm_mon placing it
    # there with a start recorded after the power-on (right after a rejoin crm_mon can still show the node's
    # pre-crash history, see `rejoined`; that view is logged, not counted).
    if [ "$synced" != 1 ]; then
      if vip_on_interface "$j" || { [ "$vip" = "$j" ] && op_since "$j" vip start "$t0"; }; then
        vip_bad=$((vip_bad + 1))
        log "  VIP on $j while galera-synced=${synced:-absent}"
      elif [ "$vip" = "$j" ]; then
        log "  crm_mon shows the VIP on $j from its history before the power-on (address not on $j): stale view"
      fi
    fi
    # Promoted while the transfer runs: crm_mon's role AND a promote recorded after the power-on.
    if [ "$synced" = 0 ] && [ "$promoted_unsynced" = 0 ] && is_promoted "$j" && op_since "$j" "$GALERA_RSC" promote "$t0"; then
      promoted_unsynced=1 t_prom=$(elapsed "$t0")
      log "  $j is Promoted with galera-synced=0 (transfer under way; promote recorded at $(op_time "$j" "$GALERA_RSC" promote))"
    fi
    [ "$synced" = 1 ] && break
    sleep 0.5
  done
  echo "TIMING slow-sst-promoted ${t_prom:-none}"
  echo "TIMING slow-sst-synced $(elapsed "$t0")"
  log "  VIP seen on:${vip_seen:- (nowhere)} during the transfer"
  log "  (the promote timeout was $SLOW_PROMOTE_TIMEOUT; the donor alone waited ${SST_DELAY} s before sending)"
  check "$j became Synced (galera-synced=1)" [ "$synced" = 1 ]
  check "the delayed SST method ran (donor log line)" bash -c \
    "cat $(printf "'%s' " "$LAB_DIR"/nodes/*/var-log/mysql/error.log) | grep -q 'rsync_slow: donor sleeps'"
  check "$j received its state by a full SST ('rsync SST completed on joiner', 'SST succeeded')" sst_logged "$j"
   check "$j was Promoted while its transfer ran (promote handed the transfer to the monitor)" [ "$promoted_unsynced" = 1 ]
  check "$j's mariadbd was never restarted (pid ${pid0:-none}, $changes changes)" \
    bash -c "[ -n '$pid0' ] && [ $changes -eq 0 ] && [ '$(mariadbd_pid "$j")' = '$pid0' ]"
  check "the VIP was never on $j while it was not Synced ($vip_bad samples)" [ "$vip_bad" -eq 0 ]
  check "fail-count of $GALERA_RSC on $j is 0" failcount_zero "$j"
  check "no failed actions recorded" no_failed_actions
  check_all_up
  wait_acks 10
  stop_writer_wait
  check_rows
  trap - EXIT
  slow_sst_restore
}
slow_sst_restore() {
  local n ok=1
  stop_writer_wait
  for n in "${NODES[@]}"; do
    rm -f "$LAB_DIR/nodes/$n/etc-mysql/mariadb.conf.d/99-zz-slow-sst.cnf" "$LAB_DIR/nodes/$n/etc-mysql/lab-sst-delay"
  done
  log "  restoring the normal configuration (promote timeout 300s, promote_wait_synced default)"
  if n=$(any_node); then
    node_exec "$n" cibadmin --modify --xml-text "<op id=\"$GALERA_RSC-promote-0\" timeout=\"300s\"/>" || ok=0
    if [ "$SLOW_SST_WAIT_SYNCED" = false ]; then
      node_exec "$n" crm_resource -r "$GALERA_RSC" --delete-parameter promote_wait_synced || ok=0
    fi
    settle
    wait_for "3 Promoted + VIP + maxscale" 240 all_up 3 || ok=0
  else
    ok=0
  fi
  [ $ok = 1 ] || { log "  restore failed: tearing the lab down"; "$here/lab" down --hard >/dev/null 2>&1; }
}
