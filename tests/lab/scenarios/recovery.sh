# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Recovery: the whole cluster comes back after every node lost power (or from conflicting saved states), so
# the agents must elect who starts a new cluster: at most one node, and only one that holds everything
# acknowledged. The choice is checked against ground truth: the test's own `mariadbd --wsrep-recover` on
# every datadir while all are off. Sourced by tests/lab/e2e, which provides the helpers and runs every
# registered scenario in the order of its rank (`register_scenario NAME RANK`).
#
# Scenarios (both agents unless marked [ours only]; with the stock agent those log "skipped" and pass):
#   full-crash         power loss of all three under writes, all powered on: all up; [ours] with every
#                      recovered seqno level, no bootstrap: each promote re-forms the saved view and each
#                      server restores it (pc.recovery); otherwise at most one bootstrap, by the highest
#                      recovered seqno, joiners promoted together start in turn [ours]; rows.
#   lagging-node       node1 lost first, more writes, then node2+node3; node1+node2 back, node3 20 s later:
#                      node1 (behind) never bootstraps, at most one bootstrap, by the highest seqno; rows.
#   missing-node       [ours only] node3 lost first: node1+node2 recover without it because the last Primary
#                      view {node1,node2} is covered (one bootstrap, highest seqno, the decision logged and
#                      shown by `status --json`); after a crash of all three at once they wait for node3
#                      (`status` exits 7, no bootstrap within 20 s) until it is back; rows.
#   conflicting-state  [ours only] grastate.dat edited: node1+node2 both safe_to_bootstrap, node3 a foreign
#                      cluster UUID with a far higher seqno: exactly one bootstrap, by node1 or node2, the
#                      election names node3 foreign, node3 joins by full SST with the cluster's UUID; rows.

# ---- full-crash -----------------------------------------------------------------------------------------
register_scenario full-crash 30
scenario_full-crash() {
  local t0
  ensure_lab || return 1
  start_writer
  wait_acks 30
  log "  power loss of all three nodes under writes"
  power_kill_many "${NODES[@]}"
  stop_writer_wait
  recover_all
  mark_logs
  mark_pcmk_logs
  t0=$(now)
  for n in "${NODES[@]}"; do start_node "$n"; done
  check_all_up 300
  echo "TIMING full-crash $(elapsed "$t0")"
  check_full_crash_choice
  check_rows
}

# ---- lagging-node ---------------------------------------------------------------------------------------
# The lagging node is node1 on purpose: the lowest name, which any name-ordered tie-break would pick. If it
# holds the VIP, the writer rides through the failover.
register_scenario lagging-node 50
scenario_lagging-node() {
  local lag=node1 others=(node2 node3) n t0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  log "  $lag stops first (power loss); writes continue on ${others[*]}"
  power_kill "$lag"
  wait_acks 40
  log "  power loss of ${others[*]}"
  power_kill_many "${others[@]}"
  stop_writer_wait
  recover_all
  check "precondition: $lag is behind (${SEQNO[$lag]} < $(max_seqno))" [ "${SEQNO[$lag]}" -lt "$(max_seqno)" ]
  mark_logs
  # The lagging node and one up-to-date node first (quorum, but node3's report missing): for 20 s the lagging
  # node must not bootstrap (an observation window, not a wait for success), then the last node.
  start_node "$lag"
  start_node "${others[0]}"
  check "$lag does not bootstrap while ${others[1]} is still off (20 s window)" \
    never_within 20 log_has "$lag" 'Connecting with bootstrap option: 1'
  t0=$(now)
  start_node "${others[1]}"
  check_all_up 300
  echo "TIMING lagging-recovery $(elapsed "$t0")"
  check_bootstrap_choice "$lag"
  check_rows
}

# ---- missing-node ---------------------------------------------------------------------------------------
# A full crash where node3 stays down and was NOT in the last Primary view: node3 is power-killed first and
# keeps a stale gvwstate.dat; node1+node2 form the view {node1,node2}, take more writes, then lose power.
# Brought back without node3, they must recover by themselves (the last view is covered by their my_uuids).
register_scenario missing-node 90
scenario_missing-node() {
  local t0 b n
  ours_only missing-node || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  log "  node3 loses power first; writes continue on node1+node2"
  power_kill node3
  wait_acks 30
  log "  power loss of node1+node2"
  power_kill_many node1 node2
  stop_writer_wait
  recover_all
  for n in "${NODES[@]}"; do
    log "  $n gvwstate: $(grep -E '^(my_uuid|view_id|member)' "$LAB_DIR/nodes/$n/var-lib-mysql/gvwstate.dat" 2>/dev/null |
      awk '{print $1 $2 ($3 ? " " $3 : "") ($4 ? " " $4 : "")}' | tr '\n' ' ')"
  done
  check "precondition: node3 is behind (${SEQNO[node3]} < $(max_seqno))" [ "${SEQNO[node3]}" -lt "$(max_seqno)" ]
  mark_logs
  mark_pcmk_logs
  t0=$(now)
  start_node node1
  start_node node2
  check "node1+node2 recover without node3" wait_for "2 Promoted + VIP + maxscale" 240 all_up 2
  echo "TIMING missing-node-recovery $(elapsed "$t0")"
  mapfile -t b < <(bootstrapped_nodes)
  log "  bootstrapped: ${b[*]:-(none)}; recovered seqnos node1 ${SEQNO[node1]} node2 ${SEQNO[node2]}"
  show_new_cluster_cmdlines
  check "exactly one node bootstrapped (${b[*]:-none})" [ ${#b[@]} -eq 1 ]
  check "it had the highest recovered seqno" [ "${SEQNO[${b[0]:-node3}]:--1}" -eq "$(max_seqno)" ]
  local why=""
  for n in node1 node2; do
    why=${why:-$(pcmk_log_since_mark "$n" | grep -o 'bootstrap node[0-9]: highest seqno[^"]*' | head -1)}
  done
  log "  logged decision: ${why:-(none)}"
  check "the agent logged a bootstrap decision based on the covered last Primary view" \
    grep -q 'every member of the last Primary view' <<<"$why"
  show_status node1
  local js rc
  check "galera-ocf status --json on node1: decision join, node3 without a report" \
    wait_for "status --json: decision join, node3 without a report" 30 status_json_true node1 \
    '.decision.kind == "join" and ([.nodes[] | select(.node == "node3")][0].report == null)'
  check "every acknowledged row is present on node1 and node2" env CHECK_NODES="node1 node2" "$here/check-acked"
  t0=$(now)
  start_node node3
  check_all_up 300
  echo "TIMING missing-node-rejoin $(elapsed "$t0")"
  check_rows

  # Negative: all three lose power at once, so all three are in the last view; two come back.
  start_writer
  wait_acks 20
  log "  negative case: power loss of all three at once; only node1+node2 come back"
  power_kill_many "${NODES[@]}"
  stop_writer_wait
  recover_and_start_node1_node2
  js=$(status_json node1)
  show_status node1
  check "status --json: the decision is to wait, for node3" \
    json_true "$js" '.decision.kind == "wait" and (.decision.explain | test("wait for node3"))'
  check "status explains why (the last Primary view has a member nobody accounts for)" \
    json_true "$js" '.decision.explain | test("last Primary view")'
  galera_ocf node1 status >/dev/null 2>&1
  rc=$?
  check "galera-ocf status exits 7 (no Primary component) while waiting (got $rc)" [ $rc -eq 7 ]
  check "no node bootstraps while node3 is off (20 s window)" never_within 20 any_bootstrapped
  mapfile -t b < <(bootstrapped_nodes)
  check "nobody bootstrapped while waiting (${b[*]:-none})" [ ${#b[@]} -eq 0 ]
  t0=$(now)
  start_node node3
  check_all_up 300
  echo "TIMING missing-node-wait-recovery $(elapsed "$t0")"
  check_bootstrap_choice
  check_rows
}

# ---- conflicting-state ----------------------------------------------------------------------------------
# Issue 7: conflicting saved states after a graceful stop of the whole clone. node1 and node2 both say
# safe_to_bootstrap: 1 (as after an admin's careless edit); node3's grastate.dat names ANOTHER cluster UUID,
# with a far higher seqno and safe_to_bootstrap: 1 too (as a datadir restored from another cluster's
# backup). Asserts: exactly one bootstrap, by node1 or node2 (never the foreign node), the agent's logged
# election names node3 as foreign, node3 joins by a full state transfer and ends with the cluster's UUID;
# rows on every node.
FOREIGN_UUID=0f0e0d0c-0b0a-4999-8888-777766665555
register_scenario conflicting-state 120
scenario_conflicting-state() {
  local n g b ours seq3 why=""
  ours_only conflicting-state || return 0
  ensure_lab || return 1
  quiesce_and_stop_clone || return 1
  ours=$(awk -F': *' '/^uuid/ {print $2}' "$LAB_DIR/nodes/node1/var-lib-mysql/grastate.dat")
  seq3=$(awk -F': *' '/^seqno/ {print $2 + 100000}' "$LAB_DIR/nodes/node3/var-lib-mysql/grastate.dat")
  for n in node1 node2; do
    sed -i 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$LAB_DIR/nodes/$n/var-lib-mysql/grastate.dat"
  done
  g=$LAB_DIR/nodes/node3/var-lib-mysql/grastate.dat
  sed -i -e "s/^uuid:.*/uuid:    $FOREIGN_UUID/" -e "s/^seqno:.*/seqno:   $seq3/" \
    -e 's/^safe_to_bootstrap:.*/safe_to_bootstrap: 1/' "$g"
  for n in "${NODES[@]}"; do
    log "  $n grastate: $(grep -E '^(uuid|seqno|safe_to_bootstrap)' "$LAB_DIR/nodes/$n/var-lib-mysql/grastate.dat" | tr '\n' ' ')"
  done
  mark_logs
  mark_pcmk_logs
  node_exec node1 crm resource start galera-clone
  check_all_up
  mapfile -t b < <(bootstrapped_nodes)
  log "  bootstrapped: ${b[*]:-(none)}"
  check "exactly one bootstrap, by node1 or node2 (got: ${b[*]:-none})" \
    bash -c "[ ${#b[@]} = 1 ] && [[ '${b[0]:-}' == node[12] ]]"
  for n in "${NODES[@]}"; do
    why=$(pcmk_log_since_mark "$n" | grep -o 'foreign cluster UUID, never chosen: node3[^"]*' | head -1)
    [ -z "$why" ] || break
  done
  log "  agent's election: ${why:-(no such line)}"
  check "the agent's election named node3's UUID foreign" [ -n "$why" ]
  check "node3 received a full state transfer ('rsync SST completed on joiner', 'SST succeeded')" sst_logged node3
  check "node3 now holds the cluster's UUID ($ours)" \
    grep -q "^uuid: *$ours" "$LAB_DIR/nodes/node3/var-lib-mysql/grastate.dat"
  check "status on node1 shows node1's seqno live, the others' as of their promote" \
    wait_for "status --json: seqno live on node1, as of promote elsewhere" 30 status_json_true node1 \
    '[.nodes[] | .report.seqno_as_of] == ["live", "promote", "promote"]'
  start_writer
  wait_acks 10
  stop_writer_wait
  check_rows
}
