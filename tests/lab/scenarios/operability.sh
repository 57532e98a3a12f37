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
#   reload-password  [ours only] the monitoring account's password rotated under the writer (MariaDB first
#                    accepts old and new, then check_passwd via crm_resource, then the old one is retired):
#                    Pacemaker reloads (reload-agent on every node, no stop/start/promote/demote), the same
#                    mariadbd PIDs, the VIP stays, the monitors keep succeeding as the account with only the
#                    new password valid, no failed action; rows on every node.
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

# ---- reload-password ------------------------------------------------------------------------------------
# OCF 1.1 reload-agent (issue 15): a password rotation must not restart anything. The resource first moves
# from check_user=root to a dedicated account galera_check (one CIB change, itself a reload). The rotation
# is the order an admin follows, with no moment in which a monitor's login can fail: MariaDB accepts the old
# and the new password (an account may carry several authentication methods, `IDENTIFIED VIA ... OR ...`),
# then `crm_resource -p check_passwd -v NEW`, then the old password is retired. What proves the monitors use
# the new password: after the retirement the old one is refused (by the mariadb client and by the agent's
# own login, run by hand) while the account's successful logins (USER_STATISTICS, userstat on for the test)
# keep growing on every node and no monitor fails. Then the password leaves the CIB (issue 15, secrets):
# cibsecret stores it in a root-only file on every node and the CIB holds `lrm://`, which pacemaker-execd
# replaces with the file's value before it runs the agent; the change is a reload like the others, the
# monitors go on logging in, and neither `crm configure show` nor the CIB has the password any more. The lab
# has no ssh between its nodes, so `cibsecret -C set` runs on each node (the copy `cibsecret sync` would
# make; its own sync attempt fails and is ignored) and `cibsecret -C check` proves each copy. The original
# parameters are put back at the end (one CIB change), the secret files deleted, the account dropped,
# userstat off, also when a check failed.
register_scenario reload-password 65
scenario_reload-password() {
  local orig n vip=""
  declare -A pid_before logins
  ours_only reload-password || return 0
  ensure_lab || return 1
  orig=$(node_exec node1 cibadmin -Q --xpath "//primitive[@id='$GALERA_RSC']/instance_attributes")
  reload_password_setup "$orig" || { reload_password_cleanup "$orig"; return 1; }
  for n in "${NODES[@]}"; do pid_before[$n]=$(mariadbd_pid "$n"); done
  vip=$(vip_node)
  log "  mariadbd PIDs: ${pid_before[*]}; VIP on ${vip:-nobody}"
  start_writer
  wait_acks 10
  mark_pcmk_logs
  log "  rotation 1/3: MariaDB accepts the old and the new password"
  check "the account accepts old and new" sql_node node1 "ALTER USER 'galera_check'@'localhost' IDENTIFIED VIA \
mysql_native_password USING PASSWORD('$RELOAD_OLD_PW') OR mysql_native_password USING PASSWORD('$RELOAD_NEW_PW')"
  check "every node accepts the new password" wait_for "new password valid everywhere" 30 login_works_everywhere "$RELOAD_NEW_PW"
  log "  rotation 2/3: crm_resource -r $GALERA_RSC -p check_passwd -v NEW"
  check "crm_resource -p check_passwd exits 0" node_exec node1 crm_resource -r "$GALERA_RSC" -p check_passwd -v "$RELOAD_NEW_PW"
  check "Pacemaker ran reload-agent on every node" wait_for "reload-agent ok on every node" 60 reloaded_everywhere
  settle
  log "  rotation 3/3: the old password is retired"
  check "the old password is retired" sql_node node1 "ALTER USER 'galera_check'@'localhost' IDENTIFIED BY '$RELOAD_NEW_PW'"
  check "every node refuses the old password" wait_for "old password refused everywhere" 30 login_refused_everywhere "$RELOAD_OLD_PW"
  for n in "${NODES[@]}"; do
    check "the agent's own login with the old password is refused on $n" agent_login_refused "$n" "$RELOAD_OLD_PW"
    logins[$n]=$(check_logins "$n")
  done
  # Promoted monitors run every 10 s: two more successful logins per node = monitors after the retirement.
  for n in "${NODES[@]}"; do
    check "monitors on $n log in with the new password (logins ${logins[$n]} + 2)" \
      wait_for "2 more logins as galera_check on $n" 60 logins_above "$n" $((${logins[$n]:-0} + 1))
  done
  check "no failed actions recorded" no_failed_actions
  for n in "${NODES[@]}"; do
    check "same mariadbd on $n (${pid_before[$n]})" same_mariadbd "$n" "${pid_before[$n]}"
    check "fail-count 0 on $n" failcount_zero "$n"
  done
  check "the VIP stayed on ${vip:-nobody}" vip_still_on "$vip"
  check "the scheduler planned a reload of the instance on each node (a transition may be planned more than once)" \
    [ "$(pcmk_reload_nodes_since_mark)" -eq "${#NODES[@]}" ]
  check "no restart, stop, start, promote or demote of galera and no VIP move in the transitions" \
    [ "$(pcmk_actions_since_mark '(Restart|Recover|Stop|Start|Promote|Demote|Move|Migrate) +(galera|vip)')" -eq 0 ]
  check "no stop, start, promote or demote of galera executed on any node" no_galera_lifecycle_ops
  check "all 3 still Promoted" n_promoted_is 3
  reload_password_cibsecret
  for n in "${NODES[@]}"; do
    check "same mariadbd on $n after cibsecret (${pid_before[$n]})" same_mariadbd "$n" "${pid_before[$n]}"
  done
  stop_writer_wait
  check_rows
  reload_password_cleanup "$orig"
}
# check_passwd from the CIB into cibsecret's files, as a reload; the monitors keep logging in with it.
reload_password_cibsecret() {
  local n shown
  declare -A logins
  log "  cibsecret: check_passwd out of the CIB (lrm:// in the CIB, the value in a root-only file per node)"
  for n in "${NODES[@]}"; do
    node_exec "$n" cibsecret -C set "$GALERA_RSC" check_passwd "$RELOAD_NEW_PW" >/dev/null 2>&1 || true
    check "cibsecret's copy on $n is intact (cibsecret -C check)" node_exec "$n" cibsecret -C check "$GALERA_RSC" check_passwd
  done
  mark_pcmk_logs
  check "crm_resource -p check_passwd -v lrm:// exits 0" node_exec node1 crm_resource -r "$GALERA_RSC" -p check_passwd -v 'lrm://'
  check "Pacemaker ran reload-agent on every node" wait_for "reload-agent ok on every node" 60 reloaded_everywhere
  settle
  shown=$(node_exec node1 crm configure show "$GALERA_RSC" 2>&1)
  check "crm configure show shows lrm:// and not the password" secret_hidden "$shown" 'lrm://'
  check "the CIB does not hold the password" secret_hidden "$(node_exec node1 cibadmin -Q 2>/dev/null)" 'value="lrm://"'
  for n in "${NODES[@]}"; do logins[$n]=$(check_logins "$n"); done
  for n in "${NODES[@]}"; do
    check "monitors on $n log in with the secret (logins ${logins[$n]} + 2)" \
      wait_for "2 more logins as galera_check on $n" 60 logins_above "$n" $((${logins[$n]:-0} + 1))
  done
  check "no failed actions recorded" no_failed_actions
  check "no stop, start, promote or demote of galera executed on any node" no_galera_lifecycle_ops
  check "all 3 still Promoted" n_promoted_is 3
}
RELOAD_OLD_PW=rotate-old-7Qa
RELOAD_NEW_PW=rotate-new-3Zk
# The account with the old password, userstat on, the resource switched to it in one CIB change (both
# parameters at once: check_user without its password would be refused).
reload_password_setup() {
  local n new
  check "account galera_check created" sql_node node1 \
    "CREATE USER 'galera_check'@'localhost' IDENTIFIED BY '$RELOAD_OLD_PW'" || return 1
  check "every node knows the account" wait_for "galera_check on every node" 30 login_works_everywhere "$RELOAD_OLD_PW" || return 1
  for n in "${NODES[@]}"; do sql_node "$n" "SET GLOBAL userstat=ON" || return 1; done
  new=$(sed -e 's|name="check_user" value="root"|name="check_user" value="galera_check"|' \
    -e "s|</instance_attributes>|<nvpair name=\"check_passwd\" value=\"$RELOAD_OLD_PW\" id=\"$GALERA_RSC-instance_attributes-check_passwd\"/></instance_attributes>|" <<<"$1")
  check "the resource uses galera_check (one CIB change)" node_exec node1 cibadmin --replace --xml-text "$new" || return 1
  settle
  check "all up as galera_check" wait_for "3 Promoted + VIP + maxscale" 120 all_up 3
}
reload_password_cleanup() {
  local n
  log "  restoring the original parameters (check_user=root, no check_passwd)"
  node_exec node1 cibadmin --replace --xml-text "$1" || log "  restoring the parameters failed"
  settle
  for n in "${NODES[@]}"; do
    node_exec "$n" cibsecret -C delete "$GALERA_RSC" check_passwd >/dev/null 2>&1 || true
    node_exec "$n" test ! -e "/var/lib/pacemaker/lrm/secrets/$GALERA_RSC/check_passwd" ||
      log "  the secret file on $n is still there"
  done
  sql_node node1 "DROP USER IF EXISTS 'galera_check'@'localhost'" || log "  dropping galera_check failed"
  for n in "${NODES[@]}"; do sql_node "$n" "SET GLOBAL userstat=OFF" || true; done
  check_all_up 120
}
# secret_hidden TEXT MARK: TEXT shows MARK (where the password was) and not the password itself.
secret_hidden() { grep -qF -- "$2" <<<"$1" && ! grep -qF -- "$RELOAD_NEW_PW" <<<"$1"; }
same_mariadbd() { [ -n "$2" ] && [ "$(mariadbd_pid "$1")" = "$2" ]; }
vip_still_on() { [ -n "$1" ] && [ "$(vip_node)" = "$1" ]; }
login_as_check() {
  node_exec "$1" timeout 10 mariadb --no-defaults -ugalera_check "-p$2" -S /run/mysqld/mysqld.sock -N -B -e 'SELECT 1'
}
login_works_everywhere() { local n; for n in "${NODES[@]}"; do login_as_check "$n" "$1" || return 1; done; }
login_refused_everywhere() { local n; for n in "${NODES[@]}"; do ! login_as_check "$n" "$1" || return 1; done; }
# The agent's own client, with the given password: reload-agent checks the login and fails (exit 1) when it
# is refused. Run by hand; it changes nothing when it fails.
agent_login_refused() {
  local out
  out=$(node_exec "$1" env OCF_ROOT=/usr/lib/ocf OCF_RESOURCE_INSTANCE="$GALERA_RSC" OCF_RESKEY_CRM_meta_on_node="$1" \
    OCF_RESKEY_wsrep_cluster_address=gcomm://node1,node2,node3 OCF_RESKEY_check_user=galera_check \
    OCF_RESKEY_check_passwd="$2" /usr/lib/ocf/resource.d/galera-ocf/galera reload-agent 2>&1)
  [ $? -eq 1 ] && grep -q 'ocf-exit-reason:reload refused: check_user galera_check cannot log in' <<<"$out"
}
check_logins() {
  sql_node "$1" "SELECT TOTAL_CONNECTIONS FROM INFORMATION_SCHEMA.USER_STATISTICS WHERE USER='galera_check'" |
    grep -o '^[0-9]*' || echo 0
}
logins_above() { [ "$(check_logins "$1")" -gt "$2" ]; }
reloaded_everywhere() {
  local n
  for n in "${NODES[@]}"; do
    pcmk_log_since_mark "$n" | grep -q "Result of reload-agent operation for $GALERA_RSC on $n: ok" || return 1
  done
}
# pcmk_actions_since_mark ERE: how many of the scheduler's "Actions:" lines (the DC's, on any node) match.
pcmk_actions_since_mark() {
  local n
  for n in "${NODES[@]}"; do pcmk_log_since_mark "$n"; done | grep -E 'notice: Actions: ' | grep -cE "Actions: $1" || true
}
# The distinct nodes named in the scheduler's "Reload galera:N ( Promoted nodeK )" lines since the mark.
pcmk_reload_nodes_since_mark() {
  local n
  for n in "${NODES[@]}"; do pcmk_log_since_mark "$n"; done | grep -E 'notice: Actions: +Reload +galera:' |
    grep -oE '\( *[A-Za-z]+ +node[0-9]+ *\)' | grep -oE 'node[0-9]+' | sort -u | wc -l
}
no_galera_lifecycle_ops() {
  local n
  for n in "${NODES[@]}"; do
    ! pcmk_log_since_mark "$n" | grep -qE "Requesting local execution of (start|stop|promote|demote) operation for $GALERA_RSC " || return 1
  done
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
