# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Compound failures (issue 13): two or three things going wrong in a row. Sourced by tests/lab/e2e, which
# provides the helpers (check, power_kill_many, recover_all, bootstrapped_nodes, check_rows, ...) and runs
# every registered scenario in the order of its rank (`register_scenario NAME RANK`). All of them run with
# our agent only (the stock agent has no transfer marker, no saved-view copy and no declined promote to test).
#
# Scenarios (our agent only; with the stock agent they log "skipped" and pass):
#   clean-stop-evidence   node3 lost for good, then kill -9 of mariadbd on node1, node2 demoted (its clean
#                         stop deletes its gvwstate.dat): `status` right after the kill does not present the
#                         stale primary reports as a running component; node2 kept the agent's copy of the
#                         last view; node1+node2 recover without node3, one bootstrap; rows everywhere.
#   all-mysqld-killed     kill -9 of every mariadbd at once, Pacemaker up: all three Promoted again, at most
#                         one bootstrap, no fail-count reaches migration-threshold; rows.
#   interrupted-sst       node3 loses power mid-SST, then node1+node2: node3 publishes state=incomplete,
#                         never bootstraps, joins by full SST (not IST); one bootstrap, highest seqno; rows.
#   clone-stop-marks-one  `crm resource stop galera-clone`: exactly one grastate.dat says safe_to_bootstrap:
#                         1, the one with the highest seqno, and starting the clone bootstraps exactly it; rows.
#   outside-server        a server started by hand on node3 (in standby) outside Pacemaker: the agent's start
#                         refuses next to it and leaves it alone (no --wsrep-recover beside it); the re-probe
#                         finds it and Pacemaker stops it through the agent; never two servers on one datadir,
#                         no bootstrap; rows.
#   lagging-appliers      the two non-VIP nodes paused (FTWRL) while the VIP node acknowledges writes, then all
#                         lose power: their complete saved view without the VIP node does not excuse it, so
#                         they wait for it (no bootstrap, `status` says so); then exactly it bootstraps; rows.
#   hand-started-nil-history  after a power loss of all three (level) an admin starts every server by hand
#                         without its position (maintenance mode): Galera's pc.recovery re-forms the
#                         component as a nil-UUID history; refresh, maintenance off: the agent adopts it
#                         (no failed action, a warning); writes; node1 loses power,
#                         more writes, then the others: node1 (the lowest name) does not cold-start over
#                         the nil:N histories; the highest seqno bootstraps; rows.
#   reform-member-fails   after a power loss of all three (level, every gvwstate.dat intact) node3's server
#                         cannot start (its Galera port is held): the election re-forms the saved view, node1
#                         and node2 wait for node3 in vain, their attempt ends and removes their gvwstate.dat;
#                         then node1+node2 are Promoted with exactly one bootstrap while node3 still fails;
#                         the port freed and node3 cleaned up, all three Promoted, one bootstrap; rows.
#   reform-power-loss     the same, but all three lose power again while node1 and node2 re-form (their
#                         re-forming marker on disk): powered on with the port free, no node reports
#                         `incomplete` (the marker is not the transfer marker), all three Promoted, at most
#                         one bootstrap; rows.
#   reform-joins-elsewhere  the same power loss, but a server started by hand on node3 (fresh datadir,
#                         bootstrapped) holds its port: node1 and node2 re-form into it and ask for a full SST,
#                         which fails; they are followed as joins, keep the transfer marker (`incomplete`),
#                         never bootstrap; node3 bootstraps, the others join by SST; rows.
#   survivor-non-primary  two nodes lose power and come straight back while the third keeps running,
#                         non-Primary, its Galera port open and its state=primary report not yet withdrawn:
#                         no joiner waits out its promote on it; all Promoted within 150 s, at most one
#                         bootstrap, no failed promote; rows.

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
register_scenario clean-stop-evidence 130
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
  # node1 is held in standby until node2 has been demoted: otherwise node1's restarted server may reach
  # node2's still-running one and Galera re-forms their component by itself (no election needed), which
  # hides the sequence this scenario is about. At once, before anything slow: under load (three labs and a
  # build on two cores) the two status calls below took 10 s, Pacemaker had restarted node1's server by
  # then, and node2's error log shows "Partial re-merge of primary ... found: 1 of 2": node2 stayed Primary.
  node_exec node2 crm node standby node1
  # Issue 18: right now node1's and node2's reports still say primary; status must not present a join
  # decision built on them without saying the claims are unconfirmed or contradicted.
  js=$(status_json node1)
  log "  status on node1 right after the kill: $(jq -c '{d: .decision.explain, note: .decision.note, claims: [.nodes[] | select(.claim != null) | {node, claim}]}' <<<"$js" 2>/dev/null)"
  check "status: a join decision on unconfirmed claims carries a note" \
    json_true "$js" '(.decision.kind != "join") or (.decision.note != null)'
  # Not "live": contradicted (its server is gone), or unverified when the demote that node1's standby
  # starts is already running --wsrep-recover on its datadir (a process of the datadir that answers no SQL).
  check "status: node1's own primary claim is not presented as live (its server is gone)" \
    json_true "$js" '[.nodes[] | select(.node == "node1")][0] | (.claim == null or .claim == "contradicted" or .claim == "unverified")'
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
register_scenario all-mysqld-killed 140
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
register_scenario interrupted-sst 150
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
register_scenario clone-stop-marks-one 160
scenario_clone-stop-marks-one() {
  local n g safe=() best=-1 s b
  ours_only clone-stop-marks-one || return 0
  ensure_lab || return 1
  quiesce_and_stop_clone || return 1
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

# ---- outside-server (issue 13 class 6) ------------------------------------------------------------------
# What: node3 is put in standby (Pacemaker stops its member cleanly); then an admin starts the server by
#   hand on node3 as a systemd unit would: `/usr/sbin/mysqld` (argv[0] mysqld, not mariadbd), the datadir
#   from my.cnf, no --datadir on its command line. It rejoins the cluster by itself. Then the agent is asked
#   to start on node3 behind Pacemaker's back (crm_resource --force-start), then Pacemaker re-probes node3
#   (crm resource refresh).
# Asserts: the agent's start refuses (exit reason: the datadir is in use outside Pacemaker) and leaves the
#   hand-started server alone (same PID, still Synced, no --wsrep-recover next to it); the probe finds the
#   server, and since node3 is in standby Pacemaker stops it through the agent: it is gone, and at no point
#   did two servers run on node3's datadir. node3 back online: all Promoted, no bootstrap anywhere, every
#   acknowledged row on every node.
register_scenario outside-server 170
# server_pids NODE: every MariaDB server process of NODE (mariadbd or mysqld; --wsrep-recover runs excluded).
server_pids() {
  local p c
  for p in $(pids_in_pidns "$(node_pidns "$1")"); do
    case $(cat "/proc/$p/comm" 2>/dev/null) in mariadbd | mysqld) ;; *) continue ;; esac
    c=$(tr '\0' ' ' <"/proc/$p/cmdline" 2>/dev/null)
    [[ $c == *--wsrep[-_]recover* ]] || echo "$p"
  done
  return 0
}
servers_on() { [ "$(server_pids "$1" | wc -l)" -eq "$2" ]; }
pid_gone() { ! kill -0 "$1" 2>/dev/null; }
own_state_is() { [ "$(wsrep_own "$1")" = "$2" ]; }
# The agent ran no --wsrep-recover on NODE since the file /tmp/lab-ref inside NODE was touched.
no_recovery_since_ref() {
  [ -z "$(node_exec "$1" find /run/resource-agents -name 'galera-ocf-*-recover.log' -newer /tmp/lab-ref 2>/dev/null)" ]
}
scenario_outside-server() {
  local j=node3 pid out rc n before cmd
  ours_only outside-server || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  node_exec node1 crm node standby "$j"
  check "$j's member stopped by Pacemaker (standby)" wait_for "no server on $j" 120 servers_on "$j" 0 || return 1
  wait_acks 10
  mark_logs
  log "  an admin starts the server on $j by hand: /usr/sbin/mysqld, datadir from my.cnf"
  node_exec "$j" setsid runuser -u mysql -- /usr/sbin/mysqld </dev/null >/dev/null 2>&1 &
  check "the hand-started server on $j is Synced in the Primary component" \
    wait_for "$j Synced, started by hand" 180 own_state_is "$j" "Synced Primary 3" || return 1
  mapfile -t before < <(server_pids "$j")
  pid=${before[0]:-0}
  cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null)
  log "  hand-started server: pid $pid ($cmd)"
  check "precondition: one server on $j, named mysqld, no --datadir on its command line" \
    [ "${#before[@]}:$(cat "/proc/$pid/comm" 2>/dev/null):${cmd//*--datadir*/DATADIR}" = "1:mysqld:$cmd" ]
  node_exec "$j" touch /tmp/lab-ref
  out=$(node_exec "$j" crm_resource --force-start -r "$GALERA_RSC" 2>&1)
  rc=$?
  log "  crm_resource --force-start on $j (rc $rc): $(tr '\n' ' ' <<<"$out" | cut -c1-400)"
  check "the agent's start refuses next to the hand-started server (rc $rc)" [ "$rc" -ne 0 ]
  check "its reason says the datadir is in use outside Pacemaker" grep -q 'in use outside Pacemaker' <<<"$out"
  check "the hand-started server is untouched (same pid, still Synced)" own_state_is "$j" "Synced Primary 3"
  check "still exactly that server on $j" [ "$(server_pids "$j" | tr '\n' ' ')" = "$pid " ]
  check "no --wsrep-recover ran next to the live server" no_recovery_since_ref "$j"
  log "  Pacemaker re-probes $j (crm resource refresh)"
  node_exec node1 crm resource refresh "$GALERA_RSC" "$j" >/dev/null 2>&1
  check "the probe found the server and Pacemaker stopped it through the agent (standby)" \
    wait_for "hand-started server stopped" 180 pid_gone "$pid" ||
    node_exec node1 crm_mon -1 -A -f 2>&1 | sed 's/^/  crm_mon: /' >&2
  check "no server left on $j" servers_on "$j" 0
  check "the agent logged a server it did not start" \
    grep -q 'runs without a start recorded by this agent' "$LAB_DIR/nodes/$j/var-log/pacemaker/pacemaker.log"
  node_exec node1 crm node online "$j"
  check_all_up 300
  check "no node bootstrapped ($(bootstrapped_nodes | tr '\n' ' '))" [ -z "$(bootstrapped_nodes)" ]
  wait_acks 10
  stop_writer_wait
  check_rows
  for n in "${NODES[@]}"; do check "one server on $n" servers_on "$n" 1; done
}

# ---- lagging-appliers (issue 13 class 3) ----------------------------------------------------------------
# What: the two nodes without the VIP hold FLUSH TABLES WITH READ LOCK (as a backup tool does): Galera
#   desyncs and pauses them, so they receive the writer's write-sets but apply none. Writes go on through the
#   VIP node V (acknowledged: committed on V). Then V loses power: the two others install a Primary view
#   {L1, L2} and save it (gvwstate.dat) although they have not applied what V acknowledged; then they lose
#   power too, before applying. L1 and L2 come back first, V later.
# Asserts: the trap is real (ground truth: V's recovered seqno is above both others'; both saved views
#   list exactly L1 and L2, a complete last Primary component without V); while V is away neither L1 nor
#   L2 bootstraps (the rule "a complete saved view excuses the missing node" would bootstrap them and lose
#   V's writes) and `galera-ocf status` says it waits for V; once V is back exactly one bootstrap, by V (the
#   highest recovered seqno), and every acknowledged row is on every node.
register_scenario lagging-appliers 180
LAGGING_WAIT=${LAGGING_WAIT:-90}
# below_both A B C: A < B and A < C; above_both A B C: A > B and A > C (one command each, so `check`
# counts both comparisons).
below_both() { [ "$1" -lt "$2" ] && [ "$1" -lt "$3" ]; }
above_both() { [ "$1" -gt "$2" ] && [ "$1" -gt "$3" ]; }
saved_view_members() { grep -c '^member:' "$LAB_DIR/nodes/$1/var-lib-mysql/gvwstate.dat" 2>/dev/null; }
saved_view_has() { [ "$(saved_view_members "$1")" = "$2" ]; }
applied_seqno() { sql_node "$1" "SHOW STATUS LIKE 'wsrep_last_committed'" 2>/dev/null | awk '{print $2}'; }
desynced() { [ "$(wsrep_own "$1" | awk '{print $1}')" = Donor/Desynced ]; }
bootstrap_seen() { [ -n "$(bootstrapped_nodes)" ]; }
scenario_lagging-appliers() {
  local v l=() n t0 a b js
  ours_only lagging-appliers || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  v=$(vip_node)
  for n in "${NODES[@]}"; do [ "$n" = "$v" ] || l+=("$n"); done
  check "precondition: the VIP is on one node ($v), two others (${l[*]})" [ ${#l[@]} -eq 2 ] || return 1
  for n in "${l[@]}"; do
    log "  $n: FLUSH TABLES WITH READ LOCK held by a session (a backup)"
    node_exec "$n" mariadb --no-defaults -uroot -S /run/mysqld/mysqld.sock -e \
      "FLUSH TABLES WITH READ LOCK; SELECT SLEEP(3600)" </dev/null >/dev/null 2>&1 &
  done
  for n in "${l[@]}"; do check "$n is desynced and paused" wait_for "$n Donor/Desynced" 30 desynced "$n" || return 1; done
  wait_acks 30
  a=$(applied_seqno "$v")
  log "  applied seqno: $v $a, ${l[0]} $(applied_seqno "${l[0]}"), ${l[1]} $(applied_seqno "${l[1]}")"
  mark_logs
  log "  $v loses power; ${l[*]} install a Primary view of two without having applied $v's writes"
  power_kill "$v"
  for n in "${l[@]}"; do
    check "$n saved a Primary view of exactly two members" wait_for "$n's gvwstate.dat: 2 members" 60 saved_view_has "$n" 2 ||
      return 1
  done
  power_kill_many "${l[@]}"
  stop_writer_wait
  recover_all
  check "precondition: $v holds writes the others never applied (${SEQNO[$v]} > ${SEQNO[${l[0]}]}, ${SEQNO[${l[1]}]})" \
    above_both "${SEQNO[$v]}" "${SEQNO[${l[0]}]}" "${SEQNO[${l[1]}]}"
  for n in "${l[@]}"; do log "  $n's saved view: $(grep -E '^(view_id|member)' "$LAB_DIR/nodes/$n/var-lib-mysql/gvwstate.dat" | tr '\n' ' ')"; done
  mark_logs
  t0=$(now)
  for n in "${l[@]}"; do start_node "$n"; done
  check "neither ${l[0]} nor ${l[1]} bootstraps while $v is away (${LAGGING_WAIT} s)" never_within "$LAGGING_WAIT" bootstrap_seen
  js=$(status_json "${l[0]}")
  log "  status on ${l[0]}: $(jq -c '.decision' <<<"$js" 2>/dev/null)"
  check "status says it waits for $v" json_true "$js" ".decision.kind == \"wait\" and (.decision.explain | test(\"$v\"))" ||
    show_status "${l[0]}"
  start_node "$v"
  check_all_up 300
  echo "TIMING lagging-appliers-recovery-after-$v $(elapsed "$t0")"
  mapfile -t b < <(bootstrapped_nodes)
  check_bootstrap_choice
  check "the bootstrap node is $v (${b[*]:-none})" [ "${b[*]:-}" = "$v" ]
  check_rows
}

# ---- survivor-non-primary (found by the soak, seed 23 round 16) -----------------------------------------
# What: node1 and node2 lose power together and are powered on as soon as node3, running on alone, is
#   non-Primary, with its Galera port open; its `state=primary` report stays in the CIB until its own
#   monitor sees the change (up to its 10 s interval). The returning nodes' elections read that report.
# Asserts: precondition: node3 non-Primary; a monitor of node3 that saw it non-Primary withdrew its claim;
#   no promote fails (before the fix a joiner sent to node3
#   waited out its promote timeout, 230 s + 49 s of SIGTERM, blocking the transition that recovers node3:
#   all Promoted again only after ~310 s); all Promoted again within 150 s; at most one bootstrap; rows.
register_scenario survivor-non-primary 190
non_primary() { local w; w=$(wsrep_own "$1") && [ -n "${w// /}" ] && [ "$(awk '{print $2}' <<<"$w")" != Primary ]; }
no_failed_promote() {
  ! crm_mon_xml | xmllint --xpath "//failures/failure[@op_key='${GALERA_RSC}_promote_0']" - >/dev/null 2>&1
}
scenario_survivor-non-primary() {
  local t0 b
  ours_only survivor-non-primary || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  mark_logs
  mark_pcmk_logs
  t0=$(now)
  log "  node1+node2 lose power; node3 runs on alone until it is non-Primary; then both come straight back"
  power_kill_many node1 node2
  # Nodes back within Galera's suspect timeout (5 s) re-merge with node3 before it ever leaves the Primary
  # component (seen in a run on an idle machine: all Promoted in 7 s, no non-Primary phase): that is not
  # this scenario. So they come back once node3 is non-Primary, while its report still says primary.
  check "precondition: node3 runs on alone, non-Primary" wait_for "node3 non-Primary" 60 non_primary node3 ||
    return 1
  start_node node1
  start_node node2
  check "all three Promoted again within 150 s" wait_for "3 Promoted + VIP + maxscale" 150 all_up 3 ||
    { show_status node3; node_exec node3 crm_mon -1 -A -f 2>&1 | sed 's/^/  crm_mon: /' >&2; }
  echo "TIMING survivor-non-primary-recovery $(elapsed "$t0")"
  # node1+node2 may re-merge with node3 before its next monitor (10 s interval) runs: then no monitor saw
  # it outside a Primary component and there was no claim to withdraw. One that did see it must have.
  if pcmk_log_has node3 'outside a Primary component (non-Primary)'; then
    check "node3's monitor saw it non-Primary and withdrew its primary claim" \
      pcmk_log_has node3 'outside a Primary component: .* withdrawn'
  else
    log "  node1+node2 were back before node3's next monitor: no claim to withdraw"
  fi
  check "no promote failed" no_failed_promote
  mapfile -t b < <(bootstrapped_nodes)
  check "at most one node bootstrapped (${b[*]:-none})" [ ${#b[@]} -le 1 ]
  wait_acks 10
  stop_writer_wait
  check_rows
  check "crm resource cleanup galera-clone exits 0" node_exec node1 crm resource cleanup galera-clone
  check_all_up
}

# ---- hand-started-nil-history (found 2026-12-07 while measuring pc.recovery for issue 16) -----------------
# What: writes, then the writer stops and the three are level; all three lose power; Pacemaker comes back in
#   maintenance mode (probes done, DC idle) and an admin starts every server by hand (`mysqld`, my.cnf's
#   gcomm:// list, no --wsrep_start_position: grastate.dat says -1 after the crash). Each restores its saved
#   Primary view (pc.recovery) and together they form a Primary component as a NEW history with a nil state
#   UUID, seqnos from 0 (no member had a position). The admin re-probes (`crm resource refresh`, as the
#   migration guide does) and ends maintenance: the agent adopts the servers. Writes; node1 loses power; more
#   writes on node2+node3; they lose power too.
# Asserts: the trap is real (a nil wsrep_cluster_state_uuid; the ground truth of node2 is a nil-UUID
#   position; node1's seqno, known, below the others'); the agent warns of the nil state UUID; once all are
#   back node1 does not bootstrap (before the fix every nil:N report counted as a fresh node, so the election
#   cold-started the lowest name, node1, and its SST to the others lost the writes it missed); at most one
#   bootstrap, by the highest seqno; every acknowledged row on every node.
register_scenario hand-started-nil-history 195
maintenance() { node_exec node1 crm_attribute -t crm_config -n maintenance-mode -v "$1" >/dev/null 2>&1; }
maintenance_is() { [ "$(node_exec node1 crm_attribute -t crm_config -n maintenance-mode -q -G 2>/dev/null)" = "$1" ]; }
maintenance_off() { maintenance false && maintenance_is false; }
nil_state_primary() {
  [ "$(sql_node "$1" "SHOW STATUS LIKE 'wsrep_cluster_state_uuid'" 2>/dev/null | awk '{print $2}')" = \
    00000000-0000-0000-0000-000000000000 ]
}
recovered_nil() { grep -q 'Recovered position: 00000000-0000-0000-0000-000000000000:' "$LAB_DIR/recover/$1/recover.log"; }
refresh_clone() { node_exec node1 crm resource refresh galera-clone >/dev/null 2>&1; }
any_pcmk_log_has() { local n; for n in "${NODES[@]}"; do pcmk_log_has "$n" "$1" && return 0; done; return 1; }
scenario_hand-started-nil-history() {
  local n lag=node1 ok=1
  ours_only hand-started-nil-history || return 0
  ensure_lab || return 1
  start_writer
  wait_acks 10
  stop_writer_wait
  check "precondition: all three level" wait_for "same last committed" 60 same_last_committed "${NODES[@]}" || return 1
  # This scenario runs in a subshell (e2e): whatever ends it, maintenance mode does not outlive it.
  trap 'wait_for "maintenance-mode=false" 60 maintenance_off >/dev/null 2>&1' EXIT
  check "maintenance-mode=true" maintenance true || return 1
  mark_pcmk_logs
  log "  all three lose power; back in maintenance mode (probes done), an admin starts every server by hand"
  power_kill_many "${NODES[@]}"
  # Without the fencing hook's wait: in maintenance mode Pacemaker fences nobody, so with LAB_FENCING=1 the
  # hook would wait its full 120 s for the third node to be fenced by the first two (seen in CI).
  for n in "${NODES[@]}"; do LAB_FENCING=0 start_node "$n"; done
  check "quorum with all three online" wait_for "quorum with all three" 120 quorate_with_all || return 1
  check "the DC is idle (every probe done)" wait_for "an idle DC" 120 dc_idle || return 1
  mark_logs
  for n in "${NODES[@]}"; do
    node_exec "$n" setsid runuser -u mysql -- /usr/sbin/mysqld </dev/null >/dev/null 2>&1 &
  done
  for n in "${NODES[@]}"; do
    check "$n Synced in a Primary component of three, started by hand" \
      wait_for "$n Synced, started by hand" 180 own_state_is "$n" "Synced Primary 3" || ok=0
  done
  check "precondition: Galera re-formed the component with a nil state UUID (pc.recovery without positions)" \
    nil_state_primary node1 || ok=0
  [ "$ok" = 1 ] || return 1
  log "  the admin re-probes (crm resource refresh) and ends maintenance mode"
  check "crm resource refresh galera-clone exits 0" refresh_clone
  check "maintenance-mode=false" wait_for "maintenance-mode=false" 60 maintenance_off || return 1
  check_all_up 240
  check "no failed actions after adopting the hand-started servers" no_failed_actions
  check "the agent warned of the nil state UUID" any_pcmk_log_has 'Primary component has a nil state UUID'
  start_writer
  wait_acks 10
  log "  $lag loses power; writes go on through the other two; then they lose power too"
  power_kill "$lag"
  wait_acks 10
  power_kill_many node2 node3
  stop_writer_wait
  recover_all
  check "precondition: node2's datadir holds a nil-UUID history (ground truth)" recovered_nil node2
  check "precondition: $lag holds fewer writes of the nil history (${SEQNO[$lag]} < ${SEQNO[node2]}, ${SEQNO[node3]})" \
    below_both "${SEQNO[$lag]}" "${SEQNO[node2]}" "${SEQNO[node3]}"
  check "precondition: $lag's seqno is known (${SEQNO[$lag]})" [ "${SEQNO[$lag]}" -ge 0 ]
  mark_logs
  for n in "${NODES[@]}"; do start_node "$n"; done
  check_all_up 300
  check_bootstrap_choice "$lag"
  check_rows
}

# ---- reform-member-fails (issue 16) ---------------------------------------------------------------------
# What: the compound failure the re-forming rule (`Decision::Reform`, Galera's pc.recovery) must survive. All
#   three lose power while level, so every gvwstate.dat names the same view and the election lets Galera
#   re-form it: every member is started with its position and waits until all of them are there. But node3's
#   server cannot start: another program (socat, started by this test, its PID recorded) holds its Galera
#   port, as a leftover process or a port clash would. So node1 and node2 wait for a member that never comes.
# Asserts: precondition: all three level; every node decided to re-form; node3's server failed to bind its
#   port. node1+node2 are Promoted within 240 s while node3 still cannot start: their attempt ended (logged)
#   and the election then bootstrapped exactly one of them; never a Primary component of node1+node2 by
#   pc.recovery alone. The port freed and node3's failures cleaned up: all three Promoted, no second
#   bootstrap; every acknowledged row on every node.
register_scenario reform-member-fails 197
port_holder_pid() {
  local p
  for p in $(pids_in_pidns "$(node_pidns "$1")"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = socat ] && echo "$p"
  done
  return 0
}
# level_power_loss_node3_port_held: the writer stopped with all three level, a power loss of all three, the
# ground truth recovered (level), both logs marked; node3 powered on first with its Galera port held by
# socat, whose PID is left in PORT_HOLDER (the caller's EXIT trap frees it); POWER_ON_AT: node3's power-on.
level_power_loss_node3_port_held() {
  start_writer
  wait_acks 10
  stop_writer_wait
  check "precondition: all three level" wait_for "same last committed" 60 same_last_committed "${NODES[@]}" || return 1
  log "  all three lose power; node3 comes back first with its Galera port held by another program"
  power_kill_many "${NODES[@]}"
  recover_all
  check "precondition: every recovered seqno is level ($(max_seqno))" all_level || return 1
  mark_logs
  mark_pcmk_logs
  POWER_ON_AT=$(now)
  start_node node3
  node_exec node3 setsid socat -u TCP-LISTEN:4567,reuseaddr,fork OPEN:/dev/null </dev/null >/dev/null 2>&1 &
  check "precondition: socat holds node3's Galera port" wait_for "socat listening on node3:4567" 20 \
    port_held node3 || return 1
  PORT_HOLDER=$(port_holder_pid node3)
  log "  port holder on node3: pid $PORT_HOLDER"
}
scenario_reform-member-fails() {
  local n t0 b
  ours_only reform-member-fails || return 0
  ensure_lab || return 1
  level_power_loss_node3_port_held || return 1
  t0=$POWER_ON_AT
  # This scenario runs in a subshell (e2e): whatever ends it, the port is freed (a global: the trap runs
  # after this function's locals are gone).
  trap '[ -z "${PORT_HOLDER:-}" ] || kill "$PORT_HOLDER" 2>/dev/null' EXIT
  for n in node1 node2; do start_node "$n"; done
  check "node1+node2 Promoted while node3 cannot start" wait_for "2 Promoted + VIP + maxscale" 240 all_up 2 ||
    { show_status node1; node_exec node1 crm_mon -1 -A -f 2>&1 | sed 's/^/  crm_mon: /' >&2; }
  echo "TIMING reform-member-fails-two-up $(elapsed "$t0")"
  for n in "${NODES[@]}"; do
    check "$n's election decided to re-form the saved view" pcmk_log_has "$n" 'election: re-form the last Primary component'
  done
  check "node3's server could not bind its Galera port" log_has node3 'Address already in use'
  for n in node1 node2; do
    check "$n's re-forming attempt ended and was logged" pcmk_log_has "$n" 'the saved Primary view was not re-formed'
  done
  mapfile -t b < <(bootstrapped_nodes)
  show_new_cluster_cmdlines
  check "exactly one node bootstrapped, node1 or node2 (${b[*]:-none})" \
    bash -c "[ ${#b[@]} = 1 ] && [[ '${b[0]:-}' == node[12] ]]"
  log "  the port is freed (pid $PORT_HOLDER) and node3's failures are cleaned up"
  kill "$PORT_HOLDER"
  check "the port holder is gone" wait_for "pid $PORT_HOLDER gone" 20 pid_gone "$PORT_HOLDER"
  PORT_HOLDER=""
  check "crm resource cleanup galera-clone exits 0" node_exec node1 crm resource cleanup galera-clone
  check_all_up 300
  mapfile -t b < <(bootstrapped_nodes)
  check "still exactly one bootstrap (${b[*]:-none})" [ ${#b[@]} -eq 1 ]
  start_writer
  wait_acks 10
  stop_writer_wait
  check_rows
}
# port_held NODE: something listens on NODE's Galera port (4567).
port_held() { [ -n "$(node_exec "$1" ss -Hltn 'sport = :4567' 2>/dev/null)" ]; }

# ---- reform-power-loss (issue 16) -----------------------------------------------------------------------
# What: a power loss in the middle of a re-forming start. As in reform-member-fails, node3's Galera port is
#   held so the re-forming cannot complete; as soon as node1 and node2 have started their servers to re-form
#   (their promotes logged it, and each wrote its re-forming marker before its start), all three lose power
#   again. Then the port is freed and all three are powered on.
# Asserts: precondition: node1's and node2's re-forming markers were on disk at the power loss. After it:
#   no node published `state=incomplete` (a re-forming start transfers nothing; before the fix it wrote the
#   transfer marker, and a power loss here left every member incomplete: nobody could ever bootstrap), no
#   re-forming marker is left, all three Promoted within 300 s, at most one bootstrap; rows.
register_scenario reform-power-loss 198
both_reforming() { pcmk_log_has node1 're-forms the saved Primary view' && pcmk_log_has node2 're-forms the saved Primary view'; }
reform_marker_on() { [ -e "$LAB_DIR/nodes/$1/var-lib-mysql/galera-ocf-reforming.sst" ]; }
no_reform_marker() { ! reform_marker_on "$1"; }
never_incomplete() { ! pcmk_log_has "$1" 'published galera-report=.*state=incomplete'; }
scenario_reform-power-loss() {
  local n b
  ours_only reform-power-loss || return 0
  ensure_lab || return 1
  level_power_loss_node3_port_held || return 1
  trap '[ -z "${PORT_HOLDER:-}" ] || kill "$PORT_HOLDER" 2>/dev/null' EXIT
  for n in node1 node2; do start_node "$n"; done
  check "node1 and node2 start their servers to re-form" wait_for "node1+node2 re-forming" 180 both_reforming || return 1
  log "  all three lose power again while node1 and node2 re-form"
  power_kill_many "${NODES[@]}"
  PORT_HOLDER=""
  for n in node1 node2; do
    check "precondition: $n's re-forming marker was on disk at the power loss" reform_marker_on "$n" || return 1
  done
  recover_all
  mark_logs
  mark_pcmk_logs
  for n in "${NODES[@]}"; do start_node "$n"; done
  check_all_up 300
  for n in "${NODES[@]}"; do
    check "$n never published state=incomplete" never_incomplete "$n"
    check "no re-forming marker left on $n" no_reform_marker "$n"
  done
  mapfile -t b < <(bootstrapped_nodes)
  check "at most one node bootstrapped (${b[*]:-none})" [ ${#b[@]} -le 1 ]
  start_writer
  wait_acks 10
  stop_writer_wait
  check_rows
}

# ---- reform-joins-elsewhere (issue 16) ------------------------------------------------------------------
# What: a re-forming member that joins some other component and gets a state transfer, which is then cut
#   off. All three lose power while level (the election lets Galera re-form the saved view). Before they
#   come back, someone starts a server of their own on node3, by hand and outside Pacemaker: a fresh
#   datadir, bootstrapped (`--wsrep-new-cluster`), on node3's Galera port (so node3's own server cannot
#   start, as in reform-member-fails). node1 and node2 re-form, meet that Primary component and ask it for
#   a full state transfer (another history); their SST method is the lab's rsync_slow, whose donor sleeps
#   before its rsync, so no file is sent before the donor dies. Then the hand-started donor is killed (its PID from its pid file) and the joiners'
#   SST scripts are ended as a broken transfer ends them: their exit trap removes `sst_in_progress` and the
#   joiners' servers terminate.
# Asserts: node1's and node2's monitors followed the transfer as a join (logged) and their datadirs carry
#   the transfer marker while it waits; after it failed they publish state=incomplete (before the fix the
#   re-forming marker was simply removed: a datadir a transfer had begun on looked whole); once node3's
#   failures are cleaned up all three are Promoted with exactly one bootstrap, node3's (the only whole
#   datadir), node1 and node2 by full SST; every acknowledged row on every node.
register_scenario reform-joins-elsewhere 199
HAND_DIR=""
HAND_PID=""
hand_pid() { cat "$HAND_DIR/hand.pid" 2>/dev/null; }
hand_primary() {
  [ "$(node_exec node3 timeout 10 mariadb --no-defaults -uroot -S /run/mysqld/hand.sock -N -B \
    -e "SHOW STATUS LIKE 'wsrep_cluster_status'" 2>/dev/null | awk '{print $2}')" = Primary ]
}
# The hand-started server runs in its own session (setsid): its process group holds its SST scripts too.
hand_gone() { [ -z "$(node_exec node3 sh -c "kill -0 -- -$1 2>/dev/null && echo up")" ]; }
followed_as_join() { pcmk_log_has "$1" 'followed as a join from now on'; }
transfer_marked_on() { [ -e "$LAB_DIR/nodes/$1/var-lib-mysql/galera-ocf-joining.sst" ]; }
no_sst_completed() { ! log_has "$1" 'rsync SST completed on joiner'; }
published_incomplete() { pcmk_log_has "$1" 'published galera-report=.*state=incomplete'; }
# EXIT trap (globals only): the configuration first (nothing below may skip it), then the hand-started
# server's process group, only while node3 runs and its leader is still that server (its command line names
# the hand datadir), then the hand datadir.
reform_joins_elsewhere_restore() {
  interrupted_sst_restore_config
  if [ -n "$HAND_PID" ] && node_running node3; then
    node_exec node3 sh -c "grep -q '$HAND_DIR' /proc/$HAND_PID/cmdline 2>/dev/null && kill -9 -- -$HAND_PID" \
      2>/dev/null
    wait_for "process group $HAND_PID gone on node3" 30 hand_gone "$HAND_PID" >/dev/null 2>&1
  fi
  [ -z "$HAND_DIR" ] || rm -rf "$HAND_DIR"
}
scenario_reform-joins-elsewhere() {
  local n b p
  ours_only reform-joins-elsewhere || return 0
  ensure_lab || return 1
  HAND_DIR=$LAB_DIR/nodes/node3/hand-datadir
  trap reform_joins_elsewhere_restore EXIT
  start_writer
  wait_acks 10
  stop_writer_wait
  check "precondition: all three level" wait_for "same last committed" 60 same_last_committed "${NODES[@]}" || return 1
  power_kill_many "${NODES[@]}"
  recover_all
  check "precondition: every recovered seqno is level ($(max_seqno))" all_level || return 1
  for n in node1 node2; do
    printf '# reform-joins-elsewhere scenario (removed at its end)\n[mysqld]\nwsrep_sst_method = rsync_slow\n' \
      >"$LAB_DIR/nodes/$n/etc-mysql/mariadb.conf.d/99-zz-slow-sst.cnf"
  done
  # Long enough that no transfer ever completes from the hand-started donor: it is killed first.
  for n in "${NODES[@]}"; do echo 3600 >"$LAB_DIR/nodes/$n/etc-mysql/lab-sst-delay"; done
  rm -rf "$HAND_DIR"
  cp -a "$LAB_DIR/cache/datadir" "$HAND_DIR"
  rm -f "$HAND_DIR/.complete"
  chown -R mysql:mysql "$HAND_DIR"
  mark_logs
  mark_pcmk_logs
  start_node node3
  log "  someone starts a server by hand on node3: a fresh datadir, bootstrapped, on node3's Galera port"
  node_exec node3 setsid /usr/sbin/mariadbd --defaults-file=/etc/mysql/my.cnf --datadir="$HAND_DIR" \
    --user=mysql --socket=/run/mysqld/hand.sock --pid-file="$HAND_DIR/hand.pid" --port=3307 \
    --log-error="$HAND_DIR/error.log" --wsrep-new-cluster --wsrep_cluster_address=gcomm:// \
    </dev/null >/dev/null 2>&1 &
  check "precondition: the hand-started server on node3 is Primary" wait_for "hand-started server Primary" 120 \
    hand_primary || return 1
  HAND_PID=$(hand_pid)
  p=$HAND_PID
  log "  hand-started server on node3: pid $p (in node3's PID namespace)"
  for n in node1 node2; do start_node "$n"; done
  for n in node1 node2; do
    check "$n's promote re-formed the saved Primary view" \
      wait_for "$n re-forming" 240 pcmk_log_has "$n" 're-forms the saved Primary view' || return 1
    check "$n's re-forming server's state transfer was followed as a join" \
      wait_for "$n followed as a join" 240 followed_as_join "$n" || return 1
  done
  for n in node1 node2; do
    check "$n's datadir carries the transfer marker while it waits for its transfer" transfer_marked_on "$n"
    check "precondition: no transfer into $n completed" no_sst_completed "$n"
  done
  log "  the hand-started donor is killed (pid $p and its process group: its sleeping SST script) while both joiners wait"
  node_exec node3 kill -9 -- "-$p"
  check "the hand-started server and its SST scripts are gone" wait_for "process group $p gone on node3" 30 \
    hand_gone "$p" || return 1
  rm -f "$HAND_DIR/hand.pid"
  HAND_PID=""
  interrupted_sst_restore_config
  # The joiners' SST scripts may go on waiting for the donor (in the lab they did: it died before its rsync
  # began): each is ended as a broken transfer ends it, SIGTERM to the script (its PID from wsrep_sst.pid,
  # only while that PID is still an SST script): its exit trap removes sst_in_progress, and mariadbd, its
  # transfer failed, terminates.
  for n in node1 node2; do
    p=$(cat "$LAB_DIR/nodes/$n/var-lib-mysql/wsrep_sst.pid" 2>/dev/null)
    log "  $n's SST script (pid ${p:-none} in its PID namespace) is ended"
    [ -z "$p" ] || node_exec "$n" sh -c "grep -q wsrep_sst /proc/$p/cmdline 2>/dev/null && kill -TERM $p" || true
  done
  for n in node1 node2; do
    check "$n's sst_in_progress is gone (the script's exit trap)" \
      wait_for "no sst_in_progress on $n" 60 test ! -e "$LAB_DIR/nodes/$n/var-lib-mysql/sst_in_progress"
  done
  for n in node1 node2; do
    check "$n published state=incomplete" wait_for "$n incomplete" 240 published_incomplete "$n"
  done
  check "crm resource cleanup galera-clone exits 0" node_exec node1 crm resource cleanup galera-clone
  check_all_up 420
  mapfile -t b < <(bootstrapped_nodes)
  show_new_cluster_cmdlines
  check "exactly one bootstrap, node3's, the only whole datadir (${b[*]:-none})" \
    bash -c "[ ${#b[@]} = 1 ] && [ '${b[0]:-}' = node3 ]"
  for n in node1 node2; do
    check "$n received a full state transfer (SST) from the cluster" log_has "$n" 'SST succeeded for position'
  done
  start_writer
  wait_acks 10
  stop_writer_wait
  check_rows
}
