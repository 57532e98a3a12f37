# shellcheck shell=bash disable=SC2154  # here, LAB_DIR, NODES ... come from tests/lab/e2e, which sources this file
# Switching a running cluster from the stock agent (issue 15, "a drop-in for the stock agent's setups"), the
# procedure of crm-examples/migrate-from-stock.md, end to end.
#
# Scenarios (our agent only; with the stock agent they log "skipped" and pass):
#   migrate-from-stock  the cluster is first restarted under ocf:heartbeat:galera (binary=mysqld_safe, its
#                       default) and written to; then the admin's switch: maintenance-mode=true, the
#                       primitive's agent changed to ocf:galera-ocf:galera (and binary to mariadbd) in one CIB
#                       change, `crm resource refresh`, maintenance-mode=false. No mariadbd restarts, nobody
#                       bootstraps, the VIP stays, writes go on; then one node at a time in standby and back
#                       (the servers leave mysqld_safe's supervision and run under the agent): each rejoins by
#                       IST, never a bootstrap; every acknowledged row on every node.

# ---- migrate-from-stock ---------------------------------------------------------------------------------
# What: the migration an admin of the stock agent makes, under writes, as the guide says.
# Asserts: under the stock agent all 3 Promoted + VIP; after the switch the probes of the new agent find every
#   server Promoted (the same mariadbd PIDs), no stop/start/promote/demote of galera is executed, no node
#   bootstraps, the VIP stays where it was (also when cluster.crm's VIP constraints replace the stock form the
#   site had), Pacemaker's history records the instances under
#   ocf:galera-ocf:galera, writes go on; the rolling standby: each node stops cleanly and rejoins by IST (no
#   full SST), no bootstrap; afterwards no mariadbd is a child of mysqld_safe; no failed action; rows.
register_scenario migrate-from-stock 985
scenario_migrate-from-stock() {
  local orig rc
  ours_only migrate-from-stock || return 0
  ensure_lab || return 1
  orig=$(node_exec node1 cibadmin -Q --xpath "//primitive[@id='$GALERA_RSC']")
  migrate_steps "$orig"
  rc=$?
  stop_writer_wait
  migrate_cleanup "$orig"
  return $rc
}
# The primitive under another agent and binary: sed on the CIB's own XML, one `cibadmin --replace`.
primitive_as() {
  sed -e "s|provider=\"[^\"]*\" type=\"galera\"|provider=\"$2\" type=\"galera\"|" \
    -e "s|\\(name=\"binary\" value=\"\\)[^\"]*\"|\\1$3\"|" <<<"$1"
}
migrate_steps() {
  local orig=$1 n vip pids=() i
  declare -A pid_before
  log "  the cluster restarted under ocf:heartbeat:galera (binary=/usr/bin/mysqld_safe, its default)"
  check "the VIP's constraints in the stock agent's form" constraints_as stock || return 1
  check "the primitive switched to the stock agent" node_exec node1 cibadmin --replace -o resources \
    --xml-text "$(primitive_as "$orig" heartbeat /usr/bin/mysqld_safe)" || return 1
  check "3 Promoted + VIP under the stock agent" wait_for "3 Promoted under ocf:heartbeat:galera" 300 \
    all_up_under heartbeat || return 1
  settle
  start_writer
  check "writes acknowledged under the stock agent" wait_acks 10 || return 1
  for n in "${NODES[@]}"; do pid_before[$n]=$(mariadbd_pid "$n"); pids+=("${pid_before[$n]}"); done
  vip=$(vip_node)
  log "  mariadbd PIDs under the stock agent: ${pids[*]}; VIP on ${vip:-nobody}"
  for n in "${NODES[@]}"; do check "$n's mariadbd runs under mysqld_safe (the stock agent's way)" under_mysqld_safe "$n"; done

  log "  the switch: maintenance-mode=true, the agent changed in one CIB change, refresh, maintenance-mode=false"
  mark_logs
  mark_pcmk_logs
  check "maintenance-mode=true" node_exec node1 crm_attribute -t crm_config -n maintenance-mode -v true || return 1
  check "the primitive switched to ocf:galera-ocf:galera" node_exec node1 cibadmin --replace -o resources \
    --xml-text "$(primitive_as "$orig" galera-ocf /usr/sbin/mariadbd)" || return 1
  check "crm resource refresh $GALERA_RSC exits 0" node_exec node1 crm resource refresh "$GALERA_RSC" || return 1
  check "the new agent's probes ran on every node" wait_for "probes under ocf:galera-ocf:galera" 60 history_under galera-ocf
  settle
  check "maintenance-mode=false" node_exec node1 crm_attribute -t crm_config -n maintenance-mode -v false || return 1
  settle
  check "3 Promoted + VIP under ocf:galera-ocf:galera" wait_for "3 Promoted + VIP" 60 all_up 3
  for n in "${NODES[@]}"; do
    check "same mariadbd on $n (${pid_before[$n]}): adopted, not restarted" same_mariadbd "$n" "${pid_before[$n]}"
  done
  check "no stop, start, promote or demote of galera executed on any node" no_galera_lifecycle_ops
  check "nobody bootstrapped" none_bootstrapped
  check "the VIP stayed on ${vip:-nobody}" vip_still_on "$vip"
  check "writes go on under the new agent" wait_acks 10
  check "no failed actions" no_failed_actions
  log "  the guide's optional step: once every node publishes galera-synced, the VIP constraints of cluster.crm"
  check "galera-synced=1 on every node" wait_for "galera-synced=1 everywhere" 60 synced_everywhere
  check "cluster.crm's VIP constraints loaded" constraints_as ours || return 1
  settle
  check "the VIP stayed on ${vip:-nobody} with cluster.crm's constraints" vip_still_on "$vip"
  check "no failed actions" no_failed_actions

  log "  one node at a time in standby and back: the servers leave mysqld_safe and run under the agent"
  for n in "${NODES[@]}"; do
    mark_logs
    node_exec node1 crm node standby "$n"
    check "$n's instance stopped" wait_for "galera stopped on $n" 180 galera_stopped_on "$n"
    check "no mariadbd left on $n (mysqld_safe did not restart it)" never_within 5 mariadbd_running_on "$n"
    node_exec node1 crm node online "$n"
    check "$n Promoted again" wait_for "$n Promoted" 240 is_promoted "$n"
    check_rejoin_by_ist "$n"
    check "nobody bootstrapped while $n came back" none_bootstrapped
    check "3 Promoted + VIP" wait_for "3 Promoted + VIP" 120 all_up 3 || return 1
    check "$n's mariadbd is not under mysqld_safe" not_under_mysqld_safe "$n"
  done
  i=0
  for n in "${NODES[@]}"; do under_mysqld_safe "$n" && i=$((i + 1)); done
  check "no mariadbd runs under mysqld_safe any more" [ "$i" -eq 0 ]
  check "no failed actions" no_failed_actions
  for n in "${NODES[@]}"; do check "fail-count 0 on $n" failcount_zero "$n"; done
  wait_acks 10
  stop_writer_wait
  check_rows
}
# Whatever happened, and the way the guide switches: maintenance on, the original primitive, a refresh (the
# new agent's probes), maintenance off; nodes online; any server still under mysqld_safe restarted by a
# standby of its node, so the scenarios that follow kill servers nobody restarts behind Pacemaker's back.
migrate_cleanup() {
  local n
  constraints_as ours || log "  restoring cluster.crm's VIP constraints failed"
  node_exec node1 crm_attribute -t crm_config -n maintenance-mode -v true >/dev/null 2>&1
  node_exec node1 cibadmin --replace -o resources --xml-text "$1" >/dev/null 2>&1 ||
    log "  restoring the primitive failed"
  node_exec node1 crm resource refresh "$GALERA_RSC" >/dev/null 2>&1
  wait_for "probes under ocf:galera-ocf:galera" 60 history_under galera-ocf >/dev/null ||
    log "  the probes after restoring the primitive did not all run"
  node_exec node1 crm_attribute -t crm_config -n maintenance-mode -v false >/dev/null 2>&1
  for n in "${NODES[@]}"; do node_exec node1 crm node online "$n" >/dev/null 2>&1; done
  settle
  check_all_up 300
  for n in "${NODES[@]}"; do
    under_mysqld_safe "$n" || continue
    log "  $n's mariadbd still runs under mysqld_safe: standby and back"
    node_exec node1 crm node standby "$n"
    wait_for "galera stopped on $n" 180 galera_stopped_on "$n" >/dev/null
    node_exec node1 crm node online "$n"
    check_all_up 240
  done
}
all_up_under() { history_under "$1" && all_up 3; }
# constraints_as stock|ours: the VIP's gate on galera-synced and its order with the clone as a stock site has
# them (the rule without its not_defined test, `promote-before-vip`), or as cluster.crm writes them (what the
# guide's optional step loads). One delete and one `load update`, as an admin would with crmsh.
constraints_as() {
  local f=$LAB_DIR/shared/constraints-$1.crm drop
  if [ "$1" = stock ]; then
    drop='vip-stop-before-demote'
    printf '%s\n' 'order promote-before-vip Mandatory: galera-clone:promote vip:start' \
      'location vip-only-on-synced vip rule -inf: galera-synced eq 0' >"$f"
  else
    drop='promote-before-vip'
    sed -n -e '/^order vip-stop-before-demote /,/symmetrical=false$/p' \
      -e '/^location vip-only-on-synced /,/rule /p' "$REPO_TOP/crm-examples/cluster.crm" >"$f"
  fi
  node_exec node1 cibadmin -Q --xpath "//rsc_order[@id='$drop']" >/dev/null 2>&1 &&
    { node_exec node1 crm configure delete "$drop" || return 1; }
  node_exec node1 crm configure load update "$f"
}
# Every node publishes galera-synced=1 (this agent's monitors ran on each Promoted instance).
synced_everywhere() {
  local n
  for n in "${NODES[@]}"; do
    [ "$(node_exec node1 crm_attribute -N "$n" -l reboot -n galera-synced -G -q 2>/dev/null)" = 1 ] || return 1
  done
}
# Every node's Pacemaker history of the galera instance names the given provider.
history_under() {
  local n v
  v=$(any_node) || return 1
  for n in "${NODES[@]}"; do
    node_exec "$v" cibadmin -Q --xpath \
      "//node_state[@uname='$n']/lrm/lrm_resources/lrm_resource[@id='$GALERA_RSC'][@provider='$1']" >/dev/null 2>&1 || return 1
  done
}
mariadbd_running_on() { [ -n "$(mariadbd_pid "$1")" ]; }
# under_mysqld_safe NODE: NODE's mariadbd is a child of a mysqld_safe script.
under_mysqld_safe() { local p; p=$(mariadbd_pid "$1"); [ -n "$p" ] && under_mysqld_safe_pid "$p"; }
not_under_mysqld_safe() { local p; p=$(mariadbd_pid "$1"); [ -n "$p" ] && ! under_mysqld_safe_pid "$p"; }
under_mysqld_safe_pid() {
  local pp
  pp=$(awk '{print $4}' "/proc/$1/stat" 2>/dev/null)
  [ -n "$pp" ] && tr '\0' ' ' <"/proc/$pp/cmdline" 2>/dev/null | grep -q mysqld_safe
}
