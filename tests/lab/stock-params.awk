# Drops galera primitive parameters that ocf:heartbeat:galera does not know (LAB_AGENT=stock), so the same
# crm configuration loads for the side-by-side run. Works on crmsh's "name=value" tokens on params lines.
BEGIN {
  split("binary client_binary config datadir user group log pid socket additional_parameters " \
        "wsrep_cluster_address cluster_host_map check_user check_passwd two_node_mode", k, " ")
  for (i in k) known[k[i]] = 1
}
/^primitive / { in_galera = ($3 ~ /:galera$/) }
/^[^ \t]/ && !/^primitive / { in_galera = 0 }
in_galera {
  out = ""
  n = split($0, tok, /[ \t]+/)
  lead = $0; sub(/[^ \t].*/, "", lead)
  for (i = 1; i <= n; i++) {
    if (tok[i] == "") continue
    if (tok[i] ~ /^[a-z_]+=/ && prev != "op" && !seen_op) {
      name = tok[i]; sub(/=.*/, "", name)
      if (!(name in known) && name != "interval" && name != "timeout" && name != "role") { continue }
    }
    if (tok[i] == "op") seen_op = 1
    out = out (out == "" ? "" : " ") tok[i]
    prev = tok[i]
  }
  seen_op = 0
  print lead out
  next
}
{ print }
