# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Fencing (issue 14): the lab booted with LAB_FENCING=1 has one stonith:fence_lab device per node, stonith-
# enabled=true and stonith-action=off (tests/lab/README.md, "Fencing"). These scenarios prove that Pacemaker
# fences a lost node before it recovers anything the node held. Sourced by tests/lab/e2e, which provides the
# helpers and runs every registered scenario in the order of its rank (`register_scenario NAME RANK`).
#
# Scenarios (both agents; without LAB_FENCING=1 they log "skipped" and pass, the lab has no fence device):
#   fencing  kill -9 of corosync alone on the VIP node under writes (its mariadbd, still in the Galera Primary
#            component, and the VIP address stay): the survivors fence it (helper log, DC log), the
#            VIP answers from another node only after the power-off (the DC's log, and a sampler of every
#            node's eth0 and of the old mariadbd), never on two nodes, nobody bootstraps; powered on again
#            it is Promoted by IST; rows on every node.
#   fencing-stop-hangs  a stop that cannot finish: the VIP node's datadir hangs (fsfreeze; mariadbd blocks in
#            D state, not even SIGKILL ends it), then the node is put in standby: the VIP leaves at once,
#            the agent reports the demote/stop as failed (mariadbd survived SIGKILL) and never as done, the
#            survivors fence the node, only then writes go on (Galera's flow control waits for the frozen
#            member), nobody bootstraps; powered on and online again it rejoins by IST; rows.

# The lab runs with fencing exactly when the run asks for it (e2e's lab_healthy compares state/fencing).
fencing_lab() { [ "${LAB_FENCING:-0}" = 1 ] || { log "  skipped: $1 needs a lab with fencing (LAB_FENCING=1)"; return 1; }; }

# corosync_pid NODE: the host PID of NODE's corosync, looked up in NODE's recorded PID namespace.
corosync_pid() {
  local p
  for p in $(pids_in_pidns "$(node_pidns "$1")"); do
    [ "$(cat "/proc/$p/comm" 2>/dev/null)" = corosync ] && { echo "$p"; return 0; }
  done
  return 0
}
# The fence helper's log since the mark (the host side: what was powered off, by whose request).
mark_helper_log() { stat -c %s "$LAB_DIR/fence/helper.log" 2>/dev/null >"$(state helper.logmark)" || echo 0 >"$(state helper.logmark)"; }
helper_log_since_mark() { tail -c +$(($(cat "$(state helper.logmark)") + 1)) "$LAB_DIR/fence/helper.log" 2>/dev/null; }
helper_log_has() { [ "$(helper_log_since_mark | grep -c -- "$1")" -gt 0 ]; }
# Epoch (s.ms) of the first line since the mark matching REGEX in the helper's log ("[HH:MM:SS.mmm] ...").
helper_log_epoch() {
  local t
  t=$(helper_log_since_mark | grep -m1 -- "$1" | sed -E 's/^\[([0-9:.]+)\].*/\1/')
  [ -n "$t" ] && date -u -d "today $t" +%s.%3N
}
# Epoch (s.ms) of the first line since the mark matching REGEX in NODE's pacemaker.log ("Dec 03 06:10:42.239 ...").
pcmk_log_epoch() {
  local t
  t=$(pcmk_log_since_mark "$1" | grep -m1 -E -- "$2" | awk '{ print $1, $2, $3 }')
  [ -n "$t" ] && date -u -d "$t" +%s.%3N
}
# The line number (since the mark) of the first line matching REGEX in NODE's pacemaker.log.
pcmk_log_line() { pcmk_log_since_mark "$1" | grep -n -m1 -E -- "$2" | cut -d: -f1; }
# fence_off_time VIEW NODE: epoch of the latest successful off of NODE the fence history read on VIEW shows
# (for the log only). The fencer folds repeated fencings of a node into one entry ("turning off of NODE
# successful: ..., last-successful='2026-12-07 01:29:32Z'"), and after a second fencing Pacemaker 2.1.5 still
# showed the first one's time: neither counting entries nor comparing times proves a new fencing.
fence_off_time() {
  node_exec "$1" stonith_admin --history "$2" 2>/dev/null | grep "off of $2 successful" |
    grep -oE "(completed|last-successful)='[^']*'" | cut -d"'" -f2 |
    while read -r t; do date -u -d "$t" +%s 2>/dev/null; done | sort -n | tail -1
}
both_set() { [ -n "$1" ] && [ -n "$2" ]; }
vip_is_on() { [ "$(vip_node)" = "$1" ]; }
node_is_member() { [ "$(crm_mon_xml | xmllint --xpath "count(//nodes/node[@name='$1'][@online='true'])" - 2>/dev/null)" = 1 ]; }
# vip_sampler V OLD_PID OUT: every 0.2 s one line "EPOCH NODES-WITH-THE-VIP-ON-ETH0 OLD-MARIADBD(alive|dead)"
# (ground truth from the interfaces and /proc, whatever crm_mon shows), until killed.
vip_sampler() {
  local v=$1 old=$2 out=$3 n on a
  while :; do
    on=()
    # /proc first: "dead" read before the interfaces cannot be from a moment before the VIP appeared.
    if [ -d "/proc/$old" ]; then a=alive; else a=dead; fi
    for n in "${NODES[@]}"; do vip_on_interface "$n" && on+=("$n"); done
    echo "$(now) ${on[*]:--} $a" >>"$out"
    sleep 0.2
  done
}

# ---- fencing --------------------------------------------------------------------------------------------
# The lost node that is not dead: kill -9 of corosync alone on the VIP node V. Its Pacemaker daemons lose the
# cluster layer, but its mariadbd (still in the Galera Primary component: Galera has its own connections) and
# the VIP address on its eth0 stay, and the writer's writes through the VIP are still acknowledged there.
# Without fencing the survivors would start the VIP beside the old one; with fencing they must first power V
# off (fence_lab → the host-side helper → `lab power-kill V`). Asserts: V is powered off by the helper at the
# request of a survivor (the fence history is logged), the DC's pacemaker.log has the
# fencing result before it initiated the VIP's start elsewhere, the sampler never saw the VIP on two nodes
# and saw it elsewhere only after V's old mariadbd was dead, the VIP answers from another node, writes go on,
# nobody bootstraps; V powered on again is Promoted (proven on V) by IST; rows on every node.
# TIMING fencing-fenced (kill → the helper's power-off done), fencing-failover (kill → VIP answers SQL
# elsewhere), fencing-write-outage, fencing-rejoin (power-on → Promoted, proven).
register_scenario fencing 200
scenario_fencing() {
  local rc
  fencing_lab fencing || return 0
  ensure_lab || return 1
  fencing_steps
  rc=$?
  # Whatever happened: the sampler ended (by its recorded PID), the view node unset.
  stop_vip_sampler
  unset LAB_VIEW_NODE
  return $rc
}
stop_vip_sampler() {
  local f pid
  f=$(state vip-sampler.pid)
  [ -s "$f" ] || return 0
  pid=$(cat "$f")
  kill "$pid" 2>/dev/null
  wait "$pid" 2>/dev/null
  rm -f "$f"
}
fencing_steps() {
  local v n t0 t_off t_fenced t_vip l_fenced l_vip cpid mpid dc smp others=() first bad
  start_writer
  wait_acks 20
  v=$(vip_node)
  for n in "${NODES[@]}"; do [ "$n" = "$v" ] || others+=("$n"); done
  export LAB_VIEW_NODE=${others[0]}
  cpid=$(corosync_pid "$v") mpid=$(mariadbd_pid "$v")
  check "precondition: $v (VIP) runs corosync (pid ${cpid:-none}) and mariadbd (pid ${mpid:-none})" \
    both_set "$cpid" "$mpid" || return 1
  log "  the fence history's last successful off of $v so far: $(fence_off_time "${others[0]}" "$v" || true)"
  mark_logs
  mark_pcmk_logs
  mark_helper_log
  smp=$LAB_DIR/fence/vip-sampler.log
  : >"$smp"
  vip_sampler "$v" "$mpid" "$smp" &
  echo $! >"$(state vip-sampler.pid)"
  log "  VIP on $v; kill -9 of corosync (pid $cpid) on $v, its mariadbd (pid $mpid) and the VIP stay"
  t0=$(now)
  kill -9 "$cpid"
  check "$v powered off by the fence helper" wait_for "the helper's POWER-OFF $v" 120 helper_log_has "POWER-OFF $v"
  t_off=$(helper_log_epoch "POWER-OFF $v")
  echo "TIMING fencing-fenced $(awk -v a="$t0" -v b="$t_off" 'BEGIN { printf "%.1f", b - a }')"
  log "  helper: $(helper_log_since_mark | grep -E "request from .*: off $v|POWER-OFF $v" | tr '\n' ' ')"
  check "the request came from a survivor (${others[*]})" helper_log_has "request from \(${others[0]}\|${others[1]:-none}\): off $v"
  check "VIP answers from another node" wait_for "VIP answering elsewhere" 120 vip_answers_elsewhere "$v"
  echo "TIMING fencing-failover $(elapsed "$t0")"
  check "writes go on" wait_acks 5
  echo "TIMING fencing-write-outage $(write_outage_after "$t0")"
  stop_vip_sampler

  # Logged, not asserted: the helper's log (above) and the DC's log (below) are the proof. The fencer's
  # history folds repeated fencings of a node into one entry, and Pacemaker 2.1.5 kept showing the first
  # one's time after a second fencing of the same node (seen in a LAB_FENCING=1 e2e run).
  node_exec "${others[0]}" stonith_admin --history "$v" --verbose 2>&1 | sed 's/^/  history: /' >&2
  dc=$(node_exec "${others[0]}" crmadmin -D -q 2>&1 | awk '{print $NF}')
  # The controller acts on the fencer's result ("Fence operation N for NODE succeeded"); its "Peer NODE was
  # terminated" notice is a later notification (seen 16 ms after the VIP start it allowed). Both lines are
  # in the DC's one log, often within the same millisecond: their order in the file is the proof.
  t_fenced=$(pcmk_log_epoch "$dc" "pacemaker-controld.*Fence operation [0-9]+ for $v succeeded")
  t_vip=$(pcmk_log_epoch "$dc" "Initiating start operation vip_start_0 (locally )?on ")
  l_fenced=$(pcmk_log_line "$dc" "pacemaker-controld.*Fence operation [0-9]+ for $v succeeded")
  l_vip=$(pcmk_log_line "$dc" "Initiating start operation vip_start_0 (locally )?on ")
  log "  DC $dc: fencing of $v succeeded at ${t_fenced:-?} (line ${l_fenced:-?}), VIP start initiated at ${t_vip:-?} (line ${l_vip:-?}); kill at $t0"
  check "the DC ($dc) logged the fencing of $v as done" [ -n "$l_fenced" ]
  check "the DC initiated the VIP's start only after the fencing was done (later in its log)" \
    awk -v f="${l_fenced:-0}" -v s="${l_vip:-0}" 'BEGIN { exit !(f > 0 && s > f) }'
  log "  sampler: $(wc -l <"$smp") samples; VIP holders over time: $(awk '{ print $2 }' "$smp" | uniq | tr '\n' ' ')"
  # A line with more than 3 fields names two (or more) nodes holding the VIP at once.
  bad=$(awk 'NF > 3' "$smp" | head -3)
  check "the VIP was never on two nodes' eth0 at once${bad:+ (e.g. $bad)}" [ -z "$bad" ]
  first=$(awk -v v="$v" '$2 != "-" && $2 != v { print; exit }' "$smp")
  log "  first sample with the VIP elsewhere: ${first:-(none)}"
  check "the VIP appeared elsewhere only after $v's old mariadbd (pid $mpid) was dead" [ "${first##* }" = dead ]
  check "$v's old mariadbd is gone (powered off)" [ ! -d "/proc/$mpid" ]
  check "nobody bootstrapped" none_bootstrapped

  t0=$(now)
  start_node "$v"
  check "$v is Promoted again (its new mariadbd Synced in the Primary component, promote recorded after power-on)" \
    wait_for "$v Promoted again, proven on $v" 240 rejoined "$v" "$mpid" "$t0"
  echo "TIMING fencing-rejoin $(elapsed "$t0")"
  show_rejoin "$v" "$mpid" "$t0"
  check_rejoin_by_ist "$v"
  check "nobody bootstrapped" none_bootstrapped
  unset LAB_VIEW_NODE
  cleanup_and_check_rows
}

# ---- fencing-stop-hangs ---------------------------------------------------------------------------------
# A stop that cannot finish. The VIP node V gets a datadir of its own on a loop-mounted ext4 (clean shutdown,
# copy, power-on: lib.sh loop_datadir), then that filesystem is frozen (fsfreeze): mariadbd blocks on its
# next write in uninterruptible sleep, where SIGKILL does not end it — a disk or controller that hangs.
# Writes through the VIP stall (V can no longer apply, and Galera's flow control makes the others wait for
# it); the admin then puts V in standby. Asserts: the VIP answers from another node (it is stopped before the
# demote, and IPaddr2 needs no disk); the agent on V reports the failure with its reason ("stop failed: ...
# is still running") and never reports the stop done while mariadbd lives; the survivors fence V (helper
# log), and a node's pacemaker.log has the failed operation before the helper's power-off; the VIP never on two
# nodes; the old mariadbd is gone; writes go on; nobody bootstraps; V online and powered on again is Promoted
# by IST; no failed actions after the cleanup; rows on every node.
# TIMING stop-hangs-vip (standby → VIP elsewhere), stop-hangs-fenced (standby → V powered off).
# no_ok_stop_since_mark NODE: NODE's pacemaker.log since the mark records no successful demote/stop of galera.
no_ok_stop_since_mark() {
  [ "$(pcmk_log_since_mark "$1" | grep -cE "Result of (demote|stop) operation for $GALERA_RSC on $1: ok")" -eq 0 ]
}
register_scenario fencing-stop-hangs 201
scenario_fencing-stop-hangs() {
  local rc v
  fencing_lab fencing-stop-hangs || return 0
  ensure_lab || return 1
  v=$(vip_node)
  stop_hangs_steps "$v"
  rc=$?
  # Whatever happened: nothing left frozen, V not left in standby, the sampler ended.
  stop_vip_sampler
  thaw_datadir "$v"
  node_exec "$(any_node)" crm node online "$v" >/dev/null 2>&1 || true
  node_exec "$(any_node)" crm resource clear vip >/dev/null 2>&1 || true
  unset LAB_VIEW_NODE
  return $rc
}
stop_hangs_steps() {
  local v=$1 n t0 others=() mpid smp bad fail_re t_fail fail_on t_off
  [ -n "$v" ] || { log "  FAIL: no VIP node"; return 1; }
  for n in "${NODES[@]}"; do [ "$n" = "$v" ] || others+=("$n"); done
  export LAB_VIEW_NODE=${others[0]}
  log "  $v (VIP) gets a datadir of its own on a loop-mounted ext4: clean shutdown, copy, power-on"
  stop_node_gracefully "$v"
  loop_datadir "$v"
  t0=$(now)
  start_node "$v"
  check "$v Promoted again on its loop-mounted datadir" wait_for "$v Promoted again" 240 rejoined "$v" "" "$t0" || return 1
  check_all_up 240
  # Its shutdown moved the VIP away, and nothing moves it back: move it to $v (a cli-prefer constraint,
  # cleared by the scenario's cleanup), so the node whose disk hangs is the VIP node.
  if [ "$(vip_node)" != "$v" ]; then
    node_exec "${others[0]}" crm resource move vip "$v" >/dev/null 2>&1
    check "the VIP moved to $v" wait_for "VIP on $v" 60 vip_is_on "$v"
  fi
  start_writer
  wait_acks 10
  mpid=$(mariadbd_pid "$v")
  check "precondition: the VIP node is the one with the loop-mounted datadir ($v)" [ -s "$(state "$v.loopmount")" ] || return 1
  mark_logs
  mark_pcmk_logs
  mark_helper_log
  smp=$LAB_DIR/fence/vip-sampler.log
  : >"$smp"
  vip_sampler "$v" "$mpid" "$smp" &
  echo $! >"$(state vip-sampler.pid)"
  log "  freezing $v's datadir: mariadbd (pid $mpid) blocks on its next write; then crm node standby $v"
  freeze_datadir "$v"
  t0=$(now)
  node_exec "${others[0]}" crm node standby "$v"
  check "VIP answers from another node (stopped before the demote)" wait_for "VIP answering elsewhere" 120 \
    vip_answers_elsewhere "$v"
  echo "TIMING stop-hangs-vip $(elapsed "$t0")"
  # demote (120 s) and the recovery stop (120 s) both run into the hung server before Pacemaker fences.
  check "$v powered off by the fence helper" wait_for "the helper's POWER-OFF $v" 420 helper_log_has "POWER-OFF $v"
  echo "TIMING stop-hangs-fenced $(elapsed "$t0")"
  check "the request came from a survivor (${others[*]})" helper_log_has "request from \(${others[0]}\|${others[1]:-none}\): off $v"
  node_exec "${others[0]}" stonith_admin --history "$v" --verbose 2>&1 | sed 's/^/  history: /' >&2
  stop_vip_sampler
  check "the agent on $v reported why (ocf-exit-reason: stop failed: ... is still running)" \
    pcmk_log_has "$v" "ocf-exit-reason:stop failed: .* is still running"
  log "  $v's agent: $(pcmk_log_since_mark "$v" | grep -m1 -o 'ocf-exit-reason:stop failed: .*' | cut -c1-200)"
  check "no demote or stop of galera on $v was recorded as done while its mariadbd lived" no_ok_stop_since_mark "$v"
  # The DC that saw the failure may be $v itself (its log stays on the host after the power-off), and the
  # fencing then is carried out for it by a survivor: the failure is looked for in every node's log and
  # compared by time with the helper's power-off (one clock: the nodes share the host's).
  fail_re="(demote|stop) operation for galera.* on $v.*(error|Timed Out|failed)|galera.*_(demote|stop)_0.* on $v.*(error|Timed Out|failed)"
  t_fail="" fail_on=""
  for n in "${NODES[@]}"; do
    t_fail=$(pcmk_log_epoch "$n" "$fail_re") && [ -n "$t_fail" ] && { fail_on=$n; break; }
  done
  t_off=$(helper_log_epoch "POWER-OFF $v")
  log "  failed operation logged on ${fail_on:-(none)} at ${t_fail:-?}: $(pcmk_log_since_mark "${fail_on:-$v}" | grep -m1 -E -- "$fail_re" | cut -c1-200); power-off at ${t_off:-?}"
  check "Pacemaker logged the failed demote/stop of galera on $v before the power-off (${t_fail:-?} < ${t_off:-?})" \
    awk -v a="${t_fail:-0}" -v b="${t_off:-0}" 'BEGIN { exit !(a > 0 && b > a) }'
  bad=$(awk 'NF > 3' "$smp" | head -3)
  check "the VIP was never on two nodes' eth0 at once${bad:+ (e.g. $bad)}" [ -z "$bad" ]
  check "$v's old mariadbd is gone" [ ! -d "/proc/$mpid" ]
  check "writes go on" wait_acks 5
  check "nobody bootstrapped" none_bootstrapped

  t0=$(now)
  start_node "$v"
  # `crm node online` while $v was powered off did not take (seen: $v came back still in standby): only
  # once $v is a member again.
  check "$v is a cluster member again" wait_for "$v online" 120 node_is_member "$v"
  check "crm node online $v exits 0" node_exec "${others[0]}" crm node online "$v"
  check "$v is Promoted again (online, powered on)" wait_for "$v Promoted again, proven on $v" 300 rejoined "$v" "$mpid" "$t0"
  show_rejoin "$v" "$mpid" "$t0"
  check_rejoin_by_ist "$v"
  check "nobody bootstrapped" none_bootstrapped
  unset LAB_VIEW_NODE
  cleanup_and_check_rows
}
