# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Lifecycle: the whole cluster started and stopped on purpose, nothing failing. Sourced by tests/lab/e2e,
# which provides the helpers (check, ensure_lab, start_writer, bootstrapped_nodes, check_rows, ...) and runs
# every registered scenario in the order of its rank (`register_scenario NAME RANK`).
#
# Scenarios (both agents):
#   cold-start        `lab up` from empty datadirs: exactly one node bootstraps, the two others join by a full
#                     SST, 3 Promoted, the VIP answers SQL (3306 and maxscale :4006); rows on every node.
#   graceful-restart  a rolling stop (node1, node2 in standby, then the clone): exactly the last one stopped,
#                     node3, has safe_to_bootstrap=1, and exactly it bootstraps when the clone starts; rows.

# ---- cold-start -----------------------------------------------------------------------------------------
register_scenario cold-start 10
scenario_cold-start() {
  local b
  "$here/lab" up || return 1
  mark_logs
  mapfile -t b < <(grep -l 'Connecting with bootstrap option: 1' "$LAB_DIR"/nodes/*/var-log/mysql/error.log)
  check "exactly one node bootstrapped from empty datadirs (${b[*]})" [ ${#b[@]} -eq 1 ]
  local n sst=0
  for n in "${NODES[@]}"; do
    [ "$LAB_DIR/nodes/$n/var-log/mysql/error.log" = "${b[0]:-}" ] && continue
    # A full copy: the SST script's own line (Galera logs "SST succeeded" after a bypassed IST rejoin too).
    grep -q 'rsync SST completed on joiner' "$LAB_DIR/nodes/$n/var-log/mysql/error.log" &&
      grep -q 'SST succeeded for position' "$LAB_DIR/nodes/$n/var-log/mysql/error.log" && sst=$((sst + 1))
  done
  check "the two other nodes joined by SST ($sst did)" [ "$sst" -eq 2 ]
  check "3 Promoted" n_promoted_is 3
  check "the VIP answers SQL" vip_answers
  check "the VIP answers through maxscale :4006" bash -c ". '$here/lib.sh'; [ -n \"\$(sql_vip 4006 'SELECT 1')\" ]"
  start_writer
  wait_acks 20
  stop_writer_wait
  check_rows
}

# ---- graceful-restart -----------------------------------------------------------------------------------
# Graceful stop of all: a rolling stop (node1, then node2 put in standby, then the clone stopped), so node3
# is the last member and Galera marks it safe_to_bootstrap=1 (a parallel stop of the clone can leave no node
# marked when two members leave at the same moment); then the clone is started again: exactly that node must
# bootstrap. (Galera 4 gives configuration changes seqnos, so the last member also has the highest seqno.)
register_scenario graceful-restart 40
scenario_graceful-restart() {
  local n safe=() b
  ensure_lab || return 1
  start_writer
  wait_acks 20
  stop_writer_wait
  for n in node1 node2; do
    node_exec node1 crm node standby "$n"
    check "galera stopped on $n (standby)" wait_for "galera stopped on $n" 180 galera_stopped_on "$n"
  done
  node_exec node1 crm resource stop galera-clone
  check "every galera instance stopped" wait_for "galera clone stopped" 240 galera_stopped
  for n in node1 node2; do node_exec node1 crm node online "$n"; done
  for n in "${NODES[@]}"; do
    grep -q '^safe_to_bootstrap: *1' "$LAB_DIR/nodes/$n/var-lib-mysql/grastate.dat" && safe+=("$n")
    log "  $n grastate: $(grep -E '^(seqno|safe_to_bootstrap)' "$LAB_DIR/nodes/$n/var-lib-mysql/grastate.dat" | tr '\n' ' ')"
  done
  check "exactly one node, the last one stopped (node3), has safe_to_bootstrap=1 (${safe[*]:-none})" \
    [ "${safe[*]:-}" = node3 ]
  mark_logs
  node_exec node1 crm resource start galera-clone
  check_all_up
  mapfile -t b < <(bootstrapped_nodes)
  check "exactly the safe_to_bootstrap node bootstrapped (bootstrapped: ${b[*]:-none})" \
    [ "${#b[@]}:${b[0]:-}" = "1:${safe[0]:-x}" ]
  start_writer
  wait_acks 10
  stop_writer_wait
  check_rows
}
