# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Two data nodes and an arbitrator (issue 17): node1 and node2 hold data (the galera clone), node3 runs only
# garbd as ocf:galera-ocf:garbd (crm-examples/arbitrator.crm loaded on top of cluster.crm). These scenarios
# are registered for the arbitrator topology: `LAB_TOPOLOGY=arbitrator tests/lab/e2e` runs exactly them
# (tests/run does, after the plain run), a plain run never does. Each ends with the acknowledged-write check
# on both data nodes. Sourced by tests/lab/e2e, which provides the helpers and runs every registered scenario
# of the run's topology in the order of its rank (`register_scenario NAME RANK TOPOLOGY`).
#
# Scenarios (arbitrator topology; ours only: the stock agent has no notion of an arbitrator):
#   arbitrator-cold-start      `lab up` from empty datadirs: exactly one data node bootstraps, the other
#                              joins by SST, garbd counts in the Primary component (size 3 on both data
#                              nodes), no galera instance on node3; rows on both data nodes.
#   arbitrator-data-node-loss  power loss of the VIP data node under writes: the survivor stays Primary
#                              with garbd's vote (size 2), the VIP answers from it, writes go on, nobody
#                              bootstraps; powered on, the lost node is Promoted again by IST; rows.
#   arbitrator-loss            power loss of node3 (garbd) under writes: both data nodes stay Primary
#                              (size 2), the VIP never moves, writes go on, nobody bootstraps; node3 back,
#                              garbd is a member again (size 3); rows.
#   arbitrator-staged-power-loss  the non-VIP data node loses power, writes go on, then the VIP node and node3
#                              lose power: the stale data node and garbd come back first and wait (an
#                              arbitrator holds no writes: no bootstrap for 30 s); the advanced node comes
#                              back and exactly it bootstraps (the highest recovered seqno); rows.
#   arbitrator-survivor-alone  the VIP data node and node3 lose power at once: the survivor has neither
#                              quorum nor a Primary component, its mariadbd is stopped, the VIP stops
#                              answering, nobody bootstraps; both back, one bootstrap at most, on the
#                              highest recovered seqno, all up again; rows.
#   arbitrator-garbd-faults    what happens to garbd itself: its state file removed (the monitor finds the
#                              same garbd by its command line, no restart); SIGSTOP (the monitor fails,
#                              Pacemaker restarts it, a new pid in Primary); its log renamed away as a
#                              rotation does, then both data nodes put in standby one after the other
#                              (clean leaves): garbd is left alone in a Primary component of its own; the
#                              monitor, reading through garbd's own descriptor, sees it (not a cached
#                              Success), Pacemaker restarts it, the new one waits (190); the stale data
#                              node back first does not bootstrap beside garbd; the other back, exactly
#                              it (the most advanced) bootstraps; all up; rows.
#   arbitrator-galera-partition  garbd's log rotated with copytruncate, then Galera's traffic of node3
#                              dropped, corosync's not: both data nodes stay
#                              Primary (size 2), writes go on, garbd's monitor waits out lost_grace instead
#                              of failing; healed, garbd is a member again with the same pid, no failed
#                              action; rows.

arbitrator_only() { [ "$LAB_AGENT" = ours ] || { log "  skipped: $1 exercises ocf:galera-ocf:garbd only"; return 1; }; }
# The other data node than $1.
other_data_node() { local n; for n in $(data_nodes); do [ "$n" = "$1" ] || echo "$n"; done; }
arb_all_up() { all_up "$(n_data_nodes)"; }
check_arb_all_up() {
  check "$(n_data_nodes) Promoted + VIP + maxscale + garbd in Primary, VIP answers" \
    wait_for "$(n_data_nodes) Promoted + VIP + maxscale + garbd" "${1:-240}" arb_all_up ||
    { n=$(any_node) && node_exec "$n" crm_mon -1 -A -f 2>&1 | sed 's/^/  crm_mon: /' >&2; }
}
# wsrep_is NODE "STATE STATUS SIZE": NODE's own mariadbd reports exactly that (see wsrep_own).
wsrep_is() { [ "$(wsrep_own "$1")" = "$2" ]; }
# Rows on the data nodes only (node3 has no database).
check_arb_rows() {
  check "every acknowledged row is present on both data nodes" env CHECK_NODES="$(data_nodes)" "$here/check-acked"
}
# Ground truth of the data nodes' last committed seqnos (SEQNO[...]), nodes powered off.
recover_data_nodes() {
  local n
  for n in "$@"; do
    SEQNO["$n"]=$(recover_seqno "$n")
    log "  $n recovered seqno ${SEQNO[$n]}"
  done
}
arb_bootstrapped() {
  local n
  for n in $(data_nodes); do log_has "$n" 'Connecting with bootstrap option: 1' && echo "$n"; done
  return 0
}
arb_any_bootstrapped() { [ -n "$(arb_bootstrapped)" ]; }
arb_none_bootstrapped() { ! arb_any_bootstrapped; }
# check_arb_bootstrap_choice NODE...: at most one data node bootstrapped since the mark, and if one did, it
# had the highest seqno recovered among NODE... (the nodes whose SEQNO was taken).
check_arb_bootstrap_choice() {
  local b n max=-1
  for n in "$@"; do [ "${SEQNO[$n]}" -gt "$max" ] && max=${SEQNO[$n]}; done
  mapfile -t b < <(arb_bootstrapped)
  log "  bootstrapped: ${b[*]:-(none)}; highest recovered seqno $max"
  check "at most one data node bootstrapped (got ${#b[@]})" [ ${#b[@]} -le 1 ]
  [ ${#b[@]} -eq 1 ] || return 0
  check "bootstrap node ${b[0]} had the highest recovered seqno (${SEQNO[${b[0]}]} vs $max)" [ "${SEQNO[${b[0]}]}" -eq "$max" ]
}
galera_never_on_node3() {
  check "no galera instance ever active on node3" \
    [ "$(crm_mon_xml | xmllint --xpath "count(//clone[@id='$GALERA_RSC-clone']/resource[@active='true']/node[@name='node3'])" - 2>/dev/null)" = 0 ]
  check "no mariadbd runs on node3" mariadbd_gone node3
}

# ---- arbitrator-cold-start ------------------------------------------------------------------------------
register_scenario arbitrator-cold-start 1100 arbitrator
scenario_arbitrator-cold-start() {
  local b n
  arbitrator_only arbitrator-cold-start || return 0
  "$here/lab" up || return 1
  mark_logs
  mapfile -t b < <(grep -l 'Connecting with bootstrap option: 1' "$LAB_DIR"/nodes/*/var-log/mysql/error.log 2>/dev/null)
  check "exactly one data node bootstrapped from empty datadirs (${b[*]})" [ ${#b[@]} -eq 1 ]
  for n in $(data_nodes); do
    check "$n: Synced in a Primary component of 3 (both data nodes + garbd)" wait_for "$n Synced Primary 3" 30 \
      wsrep_is "$n" "Synced Primary 3"
  done
  galera_never_on_node3
  check "garbd Started on node3, its monitor not failed" garbd_in_primary
  start_writer
  wait_acks 20
  stop_writer_wait
  check_arb_rows
}

# ---- arbitrator-data-node-loss --------------------------------------------------------------------------
register_scenario arbitrator-data-node-loss 1101 arbitrator
scenario_arbitrator-data-node-loss() {
  local v s t0
  arbitrator_only arbitrator-data-node-loss || return 0
  ensure_lab_of 3 || return 1
  start_writer
  wait_acks 20
  v=$(vip_node)
  s=$(other_data_node "$v")
  export LAB_VIEW_NODE=$s
  mark_logs
  log "  VIP on $v; power loss of $v under writes ($s and garbd on node3 stay)"
  t0=$(now)
  power_kill "$v"
  check "VIP answers from $s" wait_for "VIP answering elsewhere" 120 vip_answers_elsewhere "$v"
  echo "TIMING arbitrator-failover $(elapsed "$t0")"
  check "$s stays Synced in a Primary component of 2 ($s + garbd)" wait_for "$s Synced Primary 2" 60 \
    wsrep_is "$s" "Synced Primary 2"
  check "writes go on" wait_acks 10
  echo "TIMING arbitrator-failover-write-outage $(write_outage_after "$t0")"
  check "nobody bootstrapped" arb_none_bootstrapped
  t0=$(now)
  start_node "$v"
  check "$v is Promoted again (Synced Primary 3, promote recorded after power-on)" \
    wait_for "$v Promoted again, proven on $v" 240 rejoined "$v" "" "$t0"
  echo "TIMING arbitrator-rejoin $(elapsed "$t0")"
  show_rejoin "$v" "" "$t0"
  check_rejoin_by_ist "$v"
  check "nobody bootstrapped" arb_none_bootstrapped
  unset LAB_VIEW_NODE
  check_arb_all_up
  wait_acks 10
  stop_writer_wait
  check_arb_rows
}

# ---- arbitrator-loss ------------------------------------------------------------------------------------
# vip_moved_from V: the VIP is now on another node (crm_mon) or on another node's interface.
vip_moved_from() { local w; w=$(vip_node); [ -n "$w" ] && [ "$w" != "$1" ]; }
register_scenario arbitrator-loss 1102 arbitrator
scenario_arbitrator-loss() {
  local v n
  arbitrator_only arbitrator-loss || return 0
  ensure_lab_of 3 || return 1
  start_writer
  wait_acks 20
  v=$(vip_node)
  export LAB_VIEW_NODE=$v
  mark_logs
  log "  VIP on $v; power loss of node3 (garbd) under writes"
  power_kill node3
  for n in $(data_nodes); do
    check "$n stays Synced in a Primary component of 2 (both data nodes)" wait_for "$n Synced Primary 2" 60 \
      wsrep_is "$n" "Synced Primary 2"
  done
  check "the VIP stays on $v for 15 s" never_within 15 vip_moved_from "$v"
  check "writes go on" wait_acks 10
  check "nobody bootstrapped" arb_none_bootstrapped
  start_node node3
  for n in $(data_nodes); do
    check "$n: garbd is a member again (Synced Primary 3)" wait_for "$n Synced Primary 3" 120 \
      wsrep_is "$n" "Synced Primary 3"
  done
  check "nobody bootstrapped" arb_none_bootstrapped
  unset LAB_VIEW_NODE
  check_arb_all_up
  galera_never_on_node3
  wait_acks 10
  stop_writer_wait
  check_arb_rows
}

# ---- arbitrator-staged-power-loss -----------------------------------------------------------------------
# The adversary's order: the stale data node and the arbitrator return first. garbd's vote and its view of
# the last Primary component must not make the stale node bootstrap: it holds fewer writes than the node
# still off, and an arbitrator holds none.
register_scenario arbitrator-staged-power-loss 1103 arbitrator
scenario_arbitrator-staged-power-loss() {
  local v s galera_out
  arbitrator_only arbitrator-staged-power-loss || return 0
  ensure_lab_of 3 || return 1
  start_writer
  wait_acks 10
  v=$(vip_node)
  s=$(other_data_node "$v")
  log "  VIP on $v; power loss of $s (non-VIP data node), writes go on through $v + garbd"
  power_kill "$s"
  check "writes go on without $s" wait_acks 30
  log "  power loss of $v and node3"
  power_kill_many "$v" node3
  stop_writer_wait
  recover_data_nodes "$v" "$s"
  check "precondition: $v is more advanced than $s (${SEQNO[$v]} > ${SEQNO[$s]})" [ "${SEQNO[$v]}" -gt "${SEQNO[$s]}" ]
  mark_logs
  start_node "$s"
  start_node node3
  export LAB_VIEW_NODE=$s
  check "$s published its report" wait_for "$s's report" 120 n_reports_are "$s" 1
  check "with $v still off, $s does not bootstrap for 30 s (garbd holds no writes)" never_within 30 arb_any_bootstrapped
  galera_out=$(galera_ocf "$s" status 2>&1)
  log "  galera-ocf status on $s: $(echo "$galera_out" | tr '\n' ' ' | cut -c1-400)"
  start_node "$v"
  unset LAB_VIEW_NODE
  check_arb_all_up 300
  check_arb_bootstrap_choice "$v" "$s"
  check "exactly $v bootstrapped" [ "$(arb_bootstrapped)" = "$v" ]
  start_writer
  wait_acks 10
  stop_writer_wait
  check_arb_rows
}

# ---- arbitrator-survivor-alone --------------------------------------------------------------------------
register_scenario arbitrator-survivor-alone 1104 arbitrator
scenario_arbitrator-survivor-alone() {
  local v s
  arbitrator_only arbitrator-survivor-alone || return 0
  ensure_lab_of 3 || return 1
  start_writer
  wait_acks 20
  v=$(vip_node)
  s=$(other_data_node "$v")
  export LAB_VIEW_NODE=$s
  mark_logs
  log "  VIP on $v; power loss of $v and node3 at once: $s is alone"
  power_kill_many "$v" node3
  check "the VIP stops answering" wait_for "VIP silent" 120 bash -c ". '$here/lib.sh'; ! vip_answers"
  check "$s, without quorum, stopped its mariadbd" wait_for "$s's mariadbd stopped" 120 mariadbd_gone "$s"
  check "nobody bootstrapped while $s was alone (30 s)" never_within 30 arb_any_bootstrapped
  stop_writer_wait
  recover_data_nodes "$v" "$s"
  start_node "$v"
  start_node node3
  unset LAB_VIEW_NODE
  check_arb_all_up 300
  check_arb_bootstrap_choice "$v" "$s"
  no_failed_actions || check "crm resource cleanup galera-clone exits 0" node_exec "$(any_node)" crm resource cleanup galera-clone
  check "no failed actions left" wait_for "no failed actions" 60 no_failed_actions
  start_writer
  wait_acks 10
  stop_writer_wait
  check_arb_rows
}

# ---- arbitrator-garbd-faults ----------------------------------------------------------------------------
GARBD_STATE=/run/resource-agents/galera-ocf-garbd-garbd.state
garbd_pid() { node_exec node3 sed -n 's/^pid=//p' "$GARBD_STATE" 2>/dev/null; }
garbd_pid_is() { [ "$(garbd_pid)" = "$1" ]; }
garbd_pid_not() { local p; p=$(garbd_pid); [ -n "$p" ] && [ "$p" != "$1" ]; }
# The garbd monitor as Pacemaker runs it (CIB parameters, on node3), its exit code on stdout.
# Pacemaker 2.1.5 prints "Operation force-check for garbd (ocf:galera-ocf:garbd) returned 190 (degraded)".
garbd_monitor_rc() {
  node_exec node3 crm_resource --force-check --resource garbd 2>&1 | grep -oE "returned [0-9]+" | grep -oE '[0-9]+' | head -1
}
garbd_monitor_is() { [ "$(garbd_monitor_rc)" = "$1" ]; }
# The monitor, run now, returns Success (it has read garbd's log up to a Primary component).
garbd_monitor_ok() { node_exec node3 crm_resource --force-check --resource garbd >/dev/null 2>&1; }
data_mariadbd_gone() { local n; for n in $(data_nodes); do mariadbd_gone "$n" || return 1; done; }
register_scenario arbitrator-garbd-faults 1105 arbitrator
scenario_arbitrator-garbd-faults() {
  local p0 p1 n s v
  arbitrator_only arbitrator-garbd-faults || return 0
  ensure_lab_of 3 || return 1
  start_writer
  wait_acks 10
  p0=$(garbd_pid)
  log "  garbd pid $p0; removing its state file"
  node_exec node3 rm -f "$GARBD_STATE"
  check "the monitor tracks the same garbd again (pid $p0)" wait_for "state file rewritten" 60 garbd_pid_is "$p0"
  check "garbd was not restarted, its monitor is Success" garbd_in_primary
  log "  SIGSTOP to garbd (pid $p0)"
  node_exec node3 kill -STOP "$p0"
  check "the monitor fails and Pacemaker restarts garbd (a new pid)" wait_for "new garbd pid" 120 garbd_pid_not "$p0"
  p1=$(garbd_pid)
  for n in $(data_nodes); do
    check "$n: the new garbd (pid $p1) is a member (Synced Primary 3)" wait_for "$n Synced Primary 3" 60 \
      wsrep_is "$n" "Synced Primary 3"
  done
  check "the stopped garbd (pid $p0) is gone" bash -c "! nsenter -t $(node_init_pid node3) -a kill -0 $p0 2>/dev/null"
  node_exec node3 crm resource cleanup garbd >/dev/null 2>&1
  check "garbd Started, its monitor not failed" wait_for "garbd clean" 60 garbd_in_primary
  wait_acks 10
  log "  renaming garbd's log away (a rotation without copytruncate)"
  node_exec node3 mv /var/log/garbd.log /var/log/garbd.log.1
  # One after the other, so each leave is a clean one: Galera keeps the rest Primary at each, and the last
  # leaves garbd alone in a Primary component of its own, which holds no data (a stop of the whole clone
  # stops both at once instead: garbd is then simply non-Primary).
  s=$(vip_node)
  v=$(other_data_node "$s")
  log "  standby of $v (writes go on through $s), then of $s"
  check "crm node standby $v exits 0" node_exec node3 crm node standby "$v"
  check "$v's mariadbd stopped" wait_for "$v stopped" 180 mariadbd_gone "$v"
  check "writes go on through $s" wait_acks 10
  stop_writer_wait
  check "crm node standby $s exits 0" node_exec node3 crm node standby "$s"
  check "$s's mariadbd stopped" wait_for "$s stopped" 180 mariadbd_gone "$s"
  # The monitor reads through garbd's descriptor, not the renamed-away path: it sees garbd alone, fails,
  # Pacemaker restarts garbd, and the new one waits non-Primary (190) for the data nodes' election.
  check "the monitor finds garbd alone in its component and Pacemaker restarts it" \
    wait_for "garbd restarted" 90 garbd_pid_not "$p1"
  log "  $(grep -h -o 'ERROR: garbd (pid [0-9]*) is alone.*' "$LAB_DIR"/nodes/node3/var-log/pacemaker/pacemaker.log 2>/dev/null | tail -1 | cut -c1-200)"
  check "the new garbd waits non-Primary (monitor 190)" wait_for "garbd monitor 190" 60 garbd_monitor_is 190
  mark_logs
  log "  $v (stale: it left first) back online first, beside garbd"
  check "crm node online $v exits 0" node_exec node3 crm node online "$v"
  check "with $s still in standby, $v does not bootstrap for 20 s (garbd holds no writes)" \
    never_within 20 arb_any_bootstrapped
  check "crm node online $s exits 0" node_exec node3 crm node online "$s"
  check "the garbd monitor is Success again once the data nodes form a component" \
    wait_for "garbd monitor 0" 300 garbd_monitor_is 0
  # The failure and the 190 stay in the history (Failed Resource Actions) until cleaned up.
  node_exec node3 crm resource cleanup garbd >/dev/null 2>&1
  check_arb_all_up 300
  check "exactly $s (the last to leave, the most advanced) bootstrapped" [ "$(arb_bootstrapped)" = "$s" ]
  start_writer
  wait_acks 10
  stop_writer_wait
  check_arb_rows
}

# ---- arbitrator-galera-partition ------------------------------------------------------------------------
# Galera's traffic to and from node3 (port 4567) is dropped on the host side of node3's veth while corosync's
# keeps flowing: the replication network fails, the cluster network does not (sites that run the two on
# separate links meet this). The lab kernel has neither a drop action nor netem: the dropped packets are
# classified into an htb class of 8 bit/s with a one-packet queue.
galera_link_cut() {
  local v
  v=$(veth_of "$1")
  tc qdisc add dev "$v" root handle 1: htb default 10 2>/dev/null &&
    tc class add dev "$v" parent 1: classid 1:10 htb rate 1gbit 2>/dev/null &&
    tc class add dev "$v" parent 1: classid 1:20 htb rate 8bit ceil 8bit 2>/dev/null &&
    tc qdisc add dev "$v" parent 1:20 handle 20: pfifo limit 1 &&
    tc filter add dev "$v" parent 1: protocol ip u32 match ip dport 4567 0xffff flowid 1:20 &&
    tc filter add dev "$v" parent 1: protocol ip u32 match ip sport 4567 0xffff flowid 1:20
}
galera_link_heal() { tc qdisc del dev "$(veth_of "$1")" root 2>/dev/null || true; }
garbd_lost_logged() { pcmk_log_has node3 'lost its Primary component'; }
garbd_back_logged() { pcmk_log_has node3 'is Primary, .* after it lost its Primary component'; }

register_scenario arbitrator-galera-partition 1106 arbitrator
scenario_arbitrator-galera-partition() {
  local p0 n
  arbitrator_only arbitrator-galera-partition || return 0
  ensure_lab_of 3 || return 1
  start_writer
  wait_acks 10
  # The 190 of garbd's first monitors (it waited for the data nodes) stays in the history until cleaned up.
  node_exec node3 crm resource cleanup garbd >/dev/null 2>&1
  check "precondition: no failed action" wait_for "no failed actions" 60 no_failed_actions
  # The rotation comes after a monitor read garbd's joining the data nodes: lines written between a
  # monitor and a copytruncate are in the rotated copy only, which the monitor does not read (seen: a
  # rotation 1 s after garbd joined left its monitor at non-Primary until garbd's next state line).
  check "precondition: garbd's monitor has read it in a Primary component" wait_for "garbd monitor ok" 60 \
    garbd_monitor_ok
  p0=$(garbd_pid)
  mark_pcmk_logs
  # logrotate's copytruncate, as the README recommends for garbd's log: the monitor's offset is now past
  # the end of the file, so what garbd writes next must be read from the file's start.
  log "  garbd's log rotated with copytruncate (cp, then truncated to 0)"
  check "copytruncate of /var/log/garbd.log" node_exec node3 sh -c \
    'cp /var/log/garbd.log /var/log/garbd.log.1 && : >/var/log/garbd.log'
  log "  Galera's traffic of node3 (garbd, pid $p0) dropped; corosync's still flows"
  check "the filter is in place" galera_link_cut node3
  for n in $(data_nodes); do
    check "$n: Primary without garbd (size 2)" wait_for "$n Synced Primary 2" 60 wsrep_is "$n" "Synced Primary 2"
  done
  check "writes go on without the arbitrator" wait_acks 10
  check "the garbd monitor sees the lost component and waits (lost_grace)" wait_for "grace logged" 60 \
    garbd_lost_logged
  galera_link_heal node3
  log "  healed"
  for n in $(data_nodes); do
    check "$n: garbd a member again (size 3)" wait_for "$n Synced Primary 3" 60 wsrep_is "$n" "Synced Primary 3"
  done
  check "the monitor logs garbd back in a Primary component" wait_for "back logged" 30 garbd_back_logged
  check "garbd was not restarted (pid $p0)" garbd_pid_is "$p0"
  # Written in append mode after the truncation, the log starts with garbd's text, not a hole of NULs up
  # to garbd's old offset.
  # shellcheck disable=SC2016  # expanded by the node's sh
  check "garbd's log after the copytruncate starts with text, not a hole" node_exec node3 sh -c \
    '[ -s /var/log/garbd.log ] && [ "$(head -c 64 /var/log/garbd.log | tr -d "\\000" | wc -c)" -eq 64 ]'
  check "no failed action (the grace kept the monitor at Success)" no_failed_actions
  check "garbd Started, its monitor not failed" garbd_in_primary
  wait_acks 10
  stop_writer_wait
  check_arb_rows
}
