# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Compound failures (issue 13): two or three things going wrong in a row. Sourced by tests/lab/e2e, which
# provides the helpers (check, power_kill_many, recover_all, bootstrapped_nodes, check_rows, ...).
# Each scenario registers itself with `register_scenario NAME`; all of them run with our agent only (the
# stock agent has no transfer marker, no saved-view copy and no declined promote to test).

# ---- clean-stop-evidence --------------------------------------------------------------------------------
# What: node3 is lost for good (power loss); then mariadbd alone is killed (-9) on node1 (held in standby
#   for a moment). node2 is left alone, non-Primary; Pacemaker demotes it: a clean stop, which makes Galera
#   delete node2's gvwstate.dat. Then node1 is back online.
# Asserts: `galera-ocf status` right after the kill does not present the stale primary reports as a
#   running component without saying so (issue 18); node1+node2 recover without node3 (the complete last
#   Primary component {node1,node2} reported;
#   before issue 13 the election waited for node3 forever because node2's saved view was gone), exactly one
#   bootstrap, every acknowledged row on node1+node2; node2's datadir holds the agent's durable view copy;
#   node3 then rejoins and every row is everywhere.
register_scenario clean-stop-evidence
scenario_clean-stop-evidence() {
  local pid b t0 js
  ours_only clean-stop-evidence || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  log "  node3 loses power for good; writes go on"
  power_kill node3
  wait_acks 20
  pid=$(mariadbd_pid node1)
  check "precondition: node1 runs mariadbd (pid ${pid:-none})" [ -n "$pid" ] || return 1
  mark_logs
  t0=$(now)
  log "  kill -9 of mariadbd (pid $pid) on node1; node2 is left alone without quorum"
  kill -9 "$pid"
  # Issue 18: right now node1's and node2's reports still say primary; status must not present a join
  # decision built on them without saying the claims are unconfirmed or contradicted.
  js=$(status_json node1)
  log "  status on node1 right after the kill: $(jq -c '{d: .decision.explain, note: .decision.note, claims: [.nodes[] | select(.claim != null) | {node, claim}]}' <<<"$js" 2>/dev/null)"
  check "status: a join decision on unconfirmed claims carries a note" \
    json_true "$js" '(.decision.kind != "join") or (.decision.note != null)'
  check "status: node1's own primary claim is contradicted (its server is gone)" \
    json_true "$js" '[.nodes[] | select(.node == "node1")][0] | (.claim == null or .claim == "contradicted")'
  # node1 is held in standby until node2 has been demoted: otherwise node1's restarted server may reach
  # node2's still-running one and Galera re-forms their component by itself (no election needed), which
  # hides the sequence this scenario is about.
  node_exec node2 crm node standby node1
  check "node2's clean stop deleted its gvwstate.dat (the evidence Galera keeps)" \
    wait_for "node2's gvwstate.dat gone" 120 bash -c "[ ! -e '$LAB_DIR/nodes/node2/var-lib-mysql/gvwstate.dat' ]"
  check "node2 stopped its server (demoted: no Primary component left)" \
    wait_for "node2's mariadbd stopped" 120 mariadbd_gone node2
  node_exec node2 crm node online node1
  check "node2 kept the agent's copy of the last Primary view" \
    [ -s "$LAB_DIR/nodes/node2/var-lib-mysql/galera-ocf-view.sst" ]
  log "  node2's copy: $(cat "$LAB_DIR/nodes/node2/var-lib-mysql/galera-ocf-view.sst" 2>/dev/null)"
  check "node1+node2 recover without node3" wait_for "2 Promoted + VIP + maxscale" 300 all_up 2 ||
    show_status node2
  echo "TIMING clean-stop-evidence-recovery $(elapsed "$t0")"
  mapfile -t b < <(bootstrapped_nodes)
  show_new_cluster_cmdlines
  check "exactly one node bootstrapped (${b[*]:-none})" [ ${#b[@]} -eq 1 ]
  check "every acknowledged row is on node1 and node2" wait_for "rows on node1+node2" 60 \
    env CHECK_NODES="node1 node2" "$here/check-acked"
  start_node node3
  check_all_up 300
  check "crm resource cleanup galera-clone exits 0" node_exec node1 crm resource cleanup galera-clone
  check_all_up
  wait_acks 10
  stop_writer_wait
  check_rows
}

# ---- all-mysqld-killed ----------------------------------------------------------------------------------
# What: kill -9 of every mariadbd at once; corosync and Pacemaker stay up on every node (so Pacemaker runs
#   the recovery: monitors fail, demote/stop/start, the election, promotes).
# Asserts: all three Promoted again, at most one bootstrap, no node banned (no failed promote counted
#   towards migration-threshold=3: fail-counts below 3, no instance left Stopped), every acknowledged row
#   on every node. Then the failures are cleaned up for the scenarios after it.
register_scenario all-mysqld-killed
scenario_all-mysqld-killed() {
  local n pids=() b t0 fc
  ours_only all-mysqld-killed || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 20
  for n in "${NODES[@]}"; do pids+=("$(mariadbd_pid "$n")"); done
  check "precondition: three mariadbd (${pids[*]})" [ ${#pids[@]} -eq 3 ] || return 1
  mark_logs
  t0=$(now)
  log "  kill -9 of every mariadbd at once (${pids[*]}); Pacemaker stays up"
  kill -9 "${pids[@]}"
  # 200 s: well inside Pacemaker's view of a healthy recovery, well below a joiner waiting out its
  # promote timeout on a dead node's stale report (the defect this scenario is about; ~300 s).
  check "all three Promoted again" wait_for "3 Promoted + VIP + maxscale" 200 all_up 3 ||
    { show_status node1; node_exec node1 crm_mon -1 -A -f 2>&1 | sed 's/^/  crm_mon: /' >&2; }
  echo "TIMING all-mysqld-killed-recovery $(elapsed "$t0")"
  mapfile -t b < <(bootstrapped_nodes)
  show_new_cluster_cmdlines
  check "at most one node bootstrapped (${b[*]:-none})" [ ${#b[@]} -le 1 ]
  for n in "${NODES[@]}"; do
    fc=$(node_exec node1 crm_failcount -G -r "$GALERA_RSC" -N "$n" -q 2>/dev/null)
    log "  fail-count of $GALERA_RSC on $n: ${fc:-0}"
    check "$n is not banned (fail-count ${fc:-0} < migration-threshold 3)" [ "${fc:-0}" -lt 3 ]
  done
  wait_acks 10
  stop_writer_wait
  check_rows
  check "crm resource cleanup galera-clone exits 0" node_exec node1 crm resource cleanup galera-clone
  check_all_up
  check "no failed actions left after the cleanup" wait_for "no failed actions" 60 no_failed_actions
}

# ---- interrupted-sst ------------------------------------------------------------------------------------
# What: node3 needs a full state transfer (empty datadir) and loses power in the middle of it (the donor
#   is slowed by the lab's rsync_slow method); then node1+node2 lose power too. While all are off, node3's
#   datadir gets what an rsync SST copies first (the donor's system tablespace and redo log) but none of the
#   database directories: the state that makes `--wsrep-recover` print the donor's position. node1+node2
#   come back first and take more writes; then node3.
# Asserts: that trap is real (the test's own --wsrep-recover on node3 prints a position of the cluster);
#   after power-on node3 publishes state=incomplete, never bootstraps, and joins by a full SST (not IST with
#   the donor's position, which would leave it without the database directories forever); exactly one
#   bootstrap, by the highest recovered seqno; every acknowledged row on every node, node3 included.
register_scenario interrupted-sst
INTERRUPT_SST_DELAY=${INTERRUPT_SST_DELAY:-40}
scenario_interrupted-sst() {
  local j=node3 dd t0 n
  ours_only interrupted-sst || return 0
  ensure_lab || return 1
  trap interrupted_sst_restore EXIT
  start_writer
  wait_acks 10
  log "  $j loses power; its datadir is replaced by an empty one; it will ask for rsync_slow"
  power_kill "$j"
  dd=$LAB_DIR/nodes/$j/var-lib-mysql
  rm -rf "$dd"
  cp -a "$LAB_DIR/cache/datadir" "$dd"
  rm -f "$dd/.complete"
  printf '# interrupted-sst scenario (removed at its end)\n[mysqld]\nwsrep_sst_method = rsync_slow\n' \
    >"$LAB_DIR/nodes/$j/etc-mysql/mariadb.conf.d/99-zz-slow-sst.cnf"
  for n in "${NODES[@]}"; do echo "$INTERRUPT_SST_DELAY" >"$LAB_DIR/nodes/$n/etc-mysql/lab-sst-delay"; done
  mark_logs
  start_node "$j"
  check "$j's state transfer is under way (sst_in_progress)" \
    wait_for "sst_in_progress on $j" 180 test -e "$dd/sst_in_progress" || return 1
  log "  power loss of $j in the middle of its state transfer, then of node1+node2"
  power_kill "$j"
  wait_acks 5
  power_kill_many node1 node2
  stop_writer_wait
  interrupted_sst_restore_config
  recover_all
  # After the test's own --wsrep-recover node1's InnoDB files are consistent on their own (clean
  # checkpoint), as a donor's are when rsync copies them (the donor's server flushes first).
  log "  $j's datadir gets the donor's system tablespace, redo log and system tables (rsync's first phase), no user database"
  for f in ibdata1 ib_logfile0; do install -o mysql -g mysql -m 0660 "$LAB_DIR/nodes/node1/var-lib-mysql/$f" "$dd/$f"; done
  rm -rf "$dd/mysql" "$dd/lab"
  cp -a "$LAB_DIR/nodes/node1/var-lib-mysql/mysql" "$dd/mysql"
  SEQNO["$j"]=$(recover_seqno "$j")
  log "  $j's half copy recovers as seqno ${SEQNO[$j]:-none} (node1 ${SEQNO[node1]})"
  check "precondition: --wsrep-recover on $j's half copy prints the donor's position (${SEQNO[$j]:-none})" \
    [ "${SEQNO[$j]:--1}" -ge 0 ]
  check "precondition: $j's datadir carries the agent's transfer marker" [ -e "$dd/galera-ocf-joining.sst" ]
  mark_logs
  mark_pcmk_logs
  t0=$(now)
  # node1+node2 first and more writes, so node3's (borrowed) position is behind the cluster: a node that
  # trusted it would ask for IST of the difference only and never get the databases it lacks.
  start_node node1
  start_node node2
  check "node1+node2 up" wait_for "2 Promoted + VIP + maxscale" 240 all_up 2
  start_writer
  wait_acks 20
  start_node "$j"
  check_all_up 400
  echo "TIMING interrupted-sst-recovery $(elapsed "$t0")"
  stop_writer_wait
  check "$j published state=incomplete (no usable position)" \
    pcmk_log_has "$j" 'published galera-report=.*state=incomplete'
  check_bootstrap_choice "$j"
  check "$j received a full state transfer (SST), not IST" log_has "$j" 'SST succeeded for position'
  check "$j's transfer marker is gone once it is Synced" [ ! -e "$dd/galera-ocf-joining.sst" ]
  check_rows
  trap - EXIT
  interrupted_sst_restore
}
# pcmk_log_has NODE REGEX: the node's pacemaker.log since the mark has a matching line.
pcmk_log_has() { [ "$(pcmk_log_since_mark "$1" | grep -c -- "$2")" -gt 0 ]; }
interrupted_sst_restore_config() {
  local n
  for n in "${NODES[@]}"; do
    rm -f "$LAB_DIR/nodes/$n/etc-mysql/mariadb.conf.d/99-zz-slow-sst.cnf" "$LAB_DIR/nodes/$n/etc-mysql/lab-sst-delay"
  done
}
interrupted_sst_restore() {
  stop_writer_wait
  interrupted_sst_restore_config
}

# ---- clone-stop-marks-one (issue 18) --------------------------------------------------------------------
# What: `crm resource stop galera-clone` under a quiesced cluster: every member leaves at once, and Galera
#   then marks no node safe_to_bootstrap (it marks the last member to leave, and there is none).
# Asserts: afterwards exactly one node's grastate.dat says safe_to_bootstrap: 1, and it has the highest
#   seqno (so `galera_new_cluster` there, MariaDB's own recovery procedure, works); starting the clone
#   bootstraps exactly that node; every acknowledged row on every node.
register_scenario clone-stop-marks-one
scenario_clone-stop-marks-one() {
  local n g safe=() best=-1 s b
  ours_only clone-stop-marks-one || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  stop_writer_wait
  node_exec node1 crm resource stop galera-clone
  check "every galera instance stopped" wait_for "galera clone stopped" 240 galera_stopped || return 1
  for n in "${NODES[@]}"; do
    g=$LAB_DIR/nodes/$n/var-lib-mysql/grastate.dat
    log "  $n grastate: $(grep -E '^(seqno|safe_to_bootstrap)' "$g" | tr '\n' ' ')"
    s=$(awk -F': *' '/^seqno/ {print $2}' "$g")
    [ "$s" -gt "$best" ] && best=$s
    grep -q '^safe_to_bootstrap: *1' "$g" && safe+=("$n")
  done
  check "exactly one node is marked safe_to_bootstrap (${safe[*]:-none})" [ ${#safe[@]} -eq 1 ]
  check "the marked node has the highest seqno ($best)" \
    [ "$(awk -F': *' '/^seqno/ {print $2}' "$LAB_DIR/nodes/${safe[0]:-node1}/var-lib-mysql/grastate.dat")" = "$best" ]
  mark_logs
  node_exec node1 crm resource start galera-clone
  check_all_up
  mapfile -t b < <(bootstrapped_nodes)
  check "exactly the marked node bootstrapped (${b[*]:-none})" [ "${#b[@]}:${b[0]:-}" = "1:${safe[0]:-x}" ]
  start_writer
  wait_acks 10
  stop_writer_wait
  check_rows
}
