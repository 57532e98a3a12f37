# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# A 2-node cluster with two_node_mode=true (issue 13 class 2): corosync `two_node: 1`, crm-examples/two-node.crm
# loaded on top of cluster.crm. These scenarios run last, each in a 2-node lab of its own (`ensure_lab_of 2`
# tears the 3-node lab down first), with our agent only (they test when two_node_mode may decide without the
# silent peer; the stock agent excuses any peer that has not reported).
#
# Scenarios (our agent only; with the stock agent they log "skipped" and pass):
#   two-node-silent-peer  node1 stops cleanly (standby) while node2 goes on alone under writes; then node2's
#                         instance is banned, so node2 is an online member whose instance reports nothing;
#                         node1 comes back with the older data: it must not bootstrap (two_node_mode excuses
#                         only a peer that is gone for good), `status` says it waits for node2 and exits 7;
#                         the ban lifted, exactly node2 bootstraps; every acknowledged row on both nodes.
#   two-node-peer-gone    node1's whole stack shuts down cleanly (not a member, not expected back); node2's
#                         instance is restarted, so it is the last member that left: it bootstraps alone, and
#                         says why; node1 back on: both Promoted, rows on both.

grastate_seqno() { awk -F': *' '/^seqno/ {print $2}' "$LAB_DIR/nodes/$1/var-lib-mysql/grastate.dat"; }

# ---- two-node-silent-peer -------------------------------------------------------------------------------
# What: the sequence the class-2 review found: a live, unfenced peer whose instance is merely stopped (here a
#   ban; a failed or slow start looks the same to the election) holds the newest writes, and the other node
#   comes back with older data.
# Asserts: node1 does not bootstrap for 30 s while node2 is online and silent; `galera-ocf status --json`
#   decides "wait" naming node2, `status` exits 7; after the ban is cleared exactly node2 bootstraps; both
#   Promoted; every acknowledged row on both nodes. (The agent before the fix, 7493110^, excused node2 and
#   bootstrapped node1 from its older data.)
register_scenario two-node-silent-peer 995
scenario_two-node-silent-peer() {
  local s1 s2 js rc b
  ours_only two-node-silent-peer || return 0
  ensure_lab_of 2 || return 1
  start_writer
  wait_acks 10
  log "  node1 in standby: its instance stops cleanly; node2 goes on alone under writes"
  node_exec node2 crm node standby node1
  check "node1's galera instance stopped" wait_for "galera stopped on node1" 180 galera_stopped_on node1 || return 1
  check "writes go on through node2" wait_acks 20
  stop_writer_wait
  log "  node2's instance banned: node2 stays an online member, its instance stops and reports nothing"
  node_exec node2 crm resource ban galera-clone node2
  check "node2's galera instance stopped" wait_for "galera stopped on node2" 180 galera_stopped_on node2 || return 1
  s1=$(grastate_seqno node1) s2=$(grastate_seqno node2)
  check "precondition: node2 (seqno $s2) is ahead of node1 (seqno $s1)" [ "${s2:--1}" -gt "${s1:--1}" ]
  mark_logs
  node_exec node2 crm node online node1
  check "node1 published its report" wait_for "node1's report" 120 n_reports_are node1 1
  check "node1 does not bootstrap while node2 is online but silent (30 s)" never_within 30 any_bootstrapped
  js=$(status_json node1)
  show_status node1
  check "status --json: the decision is to wait, for node2" \
    json_true "$js" '.decision.kind == "wait" and (.decision.explain | test("node2"))'
  galera_ocf node1 status >/dev/null 2>&1
  rc=$?
  check "galera-ocf status exits 7 (no Primary component) while waiting (got $rc)" [ $rc -eq 7 ]
  log "  the ban is cleared: node2 starts and reports its position"
  node_exec node2 crm resource clear galera-clone
  check_all_up 240
  mapfile -t b < <(bootstrapped_nodes)
  check "exactly node2, the most advanced, bootstrapped (${b[*]:-none})" [ "${b[*]}" = node2 ]
  start_writer
  wait_acks 5
  stop_writer_wait
  check_rows
}

# ---- two-node-peer-gone ---------------------------------------------------------------------------------
# What: what two_node_mode is for. node1's Pacemaker and corosync shut down cleanly (the node is no member and
#   not expected back); then node2's instance restarts, leaving Galera as the last member (safe_to_bootstrap).
# Asserts: node2 is Promoted again without node1 (one bootstrap, by node2), and its logged election says why
#   node1 is not waited for (its saved view, node2 alone, or the two_node_mode excuse); node1 powered on again
#   joins: both Promoted, no second bootstrap; rows on both.
register_scenario two-node-peer-gone 996
scenario_two-node-peer-gone() {
  local b
  ours_only two-node-peer-gone || return 0
  ensure_lab_of 2 || return 1
  start_writer
  wait_acks 10
  log "  node1 shuts down cleanly (Pacemaker, then corosync)"
  "$here/lab" shutdown node1
  check "writes go on through node2" wait_acks 10
  stop_writer_wait
  mark_logs
  mark_pcmk_logs
  log "  node2's instance restarted alone: it leaves Galera last, then starts with node1 gone"
  node_exec node2 crm resource restart galera-clone >/dev/null 2>&1
  check "node2 Promoted again without node1" wait_for "node2 Promoted" 180 is_promoted node2
  mapfile -t b < <(bootstrapped_nodes)
  check "exactly node2 bootstrapped (${b[*]:-none})" [ "${b[*]}" = node2 ]
  # Either rule may carry it: node1 left first, so node2's saved view is node2 alone (the coverage rule);
  # two_node_mode's excuse (node1 no member, not expected back, node2 left last) says the same.
  check "node2's election logged why node1 is not waited for" \
    pcmk_log_has node2 'election: bootstrap node2: .*\(node1 did not report but every member of the last Primary view\|two_node_mode: node1 is gone for good\)'
  mark_logs
  "$here/lab" power-on node1
  check_all_up 240
  check "nobody bootstrapped when node1 came back" none_bootstrapped
  start_writer
  wait_acks 5
  stop_writer_wait
  check_rows
}
