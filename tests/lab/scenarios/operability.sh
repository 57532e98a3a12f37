# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Operability: what an administrator does and sees. Pacemaker's own commands on the resources, the agent's
# guarded override (`galera-ocf bootstrap --force`), and a live configuration that crm_verify accepts.
# Sourced by tests/lab/e2e, which provides the helpers and runs every registered scenario in the order of its
# rank (`register_scenario NAME RANK`).
#
# Scenarios (both agents unless marked [ours only]; with the stock agent those log "skipped" and pass):
#   restart-cleanup  twice `crm resource restart galera-clone`, then `crm resource cleanup` of each resource:
#                    every command exits 0, all up again, no failed actions; rows on every node.
#   force-bootstrap  [ours only] `bootstrap --force` is refused while a Primary component runs; after a full
#                    crash with node3 gone for good the election waits, an unconfirmed override changes
#                    nothing, `--yes` prints what may be lost and exactly the named node bootstraps; rows on
#                    node1+node2, then on every node.
#   crm-verify       `crm_verify -L -V` on the live CIB, last of all: exit 0 and no error.

# ---- restart-cleanup ------------------------------------------------------------------------------------
register_scenario restart-cleanup 60
scenario_restart-cleanup() {
  local i
  ensure_lab || return 1
  for i in 1 2; do
    log "  round $i: crm resource restart galera-clone"
    check "crm resource restart galera-clone exits 0" node_exec node1 crm resource restart galera-clone
    check_all_up
    check "crm resource cleanup galera-clone exits 0" node_exec node1 crm resource cleanup galera-clone
    check "crm resource cleanup maxscale-clone exits 0" node_exec node1 crm resource cleanup maxscale-clone
    check "crm resource cleanup vip exits 0" node_exec node1 crm resource cleanup vip
    check_all_up
    check "no failed actions recorded" no_failed_actions
  done
  start_writer
  wait_acks 10
  stop_writer_wait
  check_rows
}

# ---- force-bootstrap ------------------------------------------------------------------------------------
# The admin override: refused while a Primary component runs; after a full crash where node3 stays gone (it
# was in the last view, so the election waits), `bootstrap --force` makes exactly the named node bootstrap.
# Writes are quiesced before the crash (writer stopped, every node at the same seqno), so nothing acknowledged
# can be missing from the forced node and every row must survive. What an override CAN lose, and what the
# command prints as the seqno gap: transactions that only the missing node (or a node ahead of the forced one)
# had committed, i.e. in-flight writes at the moment of the crash that the forced node had not applied yet.
register_scenario force-bootstrap 100
scenario_force-bootstrap() {
  local out rc js forced=node2 t0 b
  ours_only force-bootstrap || return 0
  ensure_lab || return 1
  out=$(galera_ocf node1 bootstrap --force node2 --yes 2>&1)
  rc=$?
  printf '%s\n' "$out" | sed 's/^/  bootstrap --force (cluster running): /' >&2
  check "bootstrap --force is refused while a Primary component runs (exit 1, got $rc)" [ $rc -eq 1 ]
  check "the refusal says a Primary component runs" grep -q 'a Primary component runs on' <<<"$out"
  check "the refusal set no override attribute" force_attr_absent node2
  check "all 3 still Promoted" n_promoted_is 3

  start_writer
  wait_acks 20
  stop_writer_wait
  check "quiesced: every node committed the same seqno" wait_for "same wsrep_last_committed" 60 \
    same_last_committed "${NODES[@]}"
  log "  power loss of all three at once; node3 stays off for good"
  power_kill_many "${NODES[@]}"
  recover_and_start_node1_node2
  js=$(status_json node1)
  check "the election waits for node3" json_true "$js" '.decision.kind == "wait" and (.decision.explain | test("node3"))'
  show_status node1
  out=$(galera_ocf node1 bootstrap --force "$forced" 2>&1 </dev/null)
  rc=$?
  printf '%s\n' "$out" | sed 's/^/  bootstrap --force (no --yes, no answer): /' >&2
  check "without --yes and without a 'yes' answer nothing changes (exit 1, got $rc)" \
    bash -c "[ $rc -eq 1 ] && grep -q 'not confirmed; nothing changed' <<<'$out'"
  check "no override attribute after the unconfirmed attempt" force_attr_absent "$forced"
  check "still nobody bootstrapped" none_bootstrapped
  t0=$(now)
  out=$(galera_ocf node1 bootstrap --force "$forced" --yes 2>&1)
  rc=$?
  printf '%s\n' "$out" | sed 's/^/  bootstrap --force --yes: /' >&2
  check "bootstrap --force $forced --yes exits 0 (got $rc)" [ $rc -eq 0 ]
  check "it prints the seqno situation (what may be lost)" grep -q "$forced has seqno" <<<"$out"
  check "it names the node whose data is unknown (node3)" grep -q 'not reported (their data is unknown): node3' <<<"$out"
  check "node1+node2 up after the override" wait_for "2 Promoted + VIP + maxscale" 240 all_up 2
  echo "TIMING force-bootstrap $(elapsed "$t0")"
  mapfile -t b < <(bootstrapped_nodes)
  show_new_cluster_cmdlines
  check "exactly $forced bootstrapped (${b[*]:-none})" [ "${b[*]:-}" = "$forced" ]
  check "the override attribute is spent (cleared by promote)" \
    wait_for "override attribute of $forced cleared" 30 force_attr_absent "$forced"
  check "every acknowledged row is present on node1 and node2" env CHECK_NODES="node1 node2" "$here/check-acked"
  t0=$(now)
  start_node node3
  check_all_up 300
  echo "TIMING force-bootstrap-rejoin $(elapsed "$t0")"
  check_rows
}
force_attr_absent() {
  ! node_exec "$(any_node)" crm_attribute -N "$1" -l reboot -n "$GALERA_RSC-force-bootstrap" --query -q >/dev/null 2>&1
}

# ---- crm-verify -----------------------------------------------------------------------------------------
register_scenario crm-verify 990
scenario_crm-verify() {
  local out rc
  ensure_lab || return 1
  out=$(node_exec node1 crm_verify -L -V 2>&1)
  rc=$?
  [ -z "$out" ] || printf '%s\n' "$out" | sed 's/^/  crm_verify: /' >&2
  check "crm_verify -L -V exits 0" [ $rc -eq 0 ]
  check "crm_verify -L -V reports no error" no_error_in "$out"
}
no_error_in() { ! grep -qi 'error' <<<"$1"; }
