#!/usr/bin/env bash
# Lays out the files of the galera-ocf package under DESTDIR; shared by
# build-deb.sh and the rpm spec so both packages install the same paths:
#   /usr/sbin/galera-ocf                              the binary
#   /usr/lib/ocf/resource.d/galera-ocf/galera         symlink to it (ocf:galera-ocf:galera;
#                                                     argv[0] != galera-ocf selects OCF mode)
#   /usr/lib/ocf/resource.d/galera-ocf/garbd          symlink to it (ocf:galera-ocf:garbd, the Galera
#                                                     arbitrator agent: argv[0] garbd selects it)
#   /usr/share/galera-ocf/galera.xml                  the meta-data golden file
#   /usr/share/galera-ocf/garbd.xml                   the garbd agent's meta-data golden file
#   /usr/share/doc/galera-ocf/{README.md,crm-examples/}
#   /usr/share/man/man8/galera-ocf.8.gz               from `galera-ocf man` (clap_mangen);
#                                                     falls back to a page made from `usage`
#   /usr/share/man/man7/ocf_galera-ocf_{galera,garbd}.7.gz  `.so` links to galera-ocf(8): the names
#                                                     resource-agents users look up (ocf_heartbeat_galera(7))
# Usage: stage.sh DESTDIR BINARY [DOCDIR]   (DOCDIR default usr/share/doc/galera-ocf)
set -euo pipefail

[ $# -ge 2 ] || { echo "usage: $0 DESTDIR BINARY [DOCDIR]" >&2; exit 2; }
dest=$1 bin=$2 docdir=${3:-usr/share/doc/galera-ocf}
top=$(cd "$(dirname "$0")/.." && pwd)
golden="$top/ocf-metadata/galera.xml"

[ -x "$bin" ] || { echo "stage.sh: $bin is not an executable (cargo build --release)" >&2; exit 1; }
[ -s "$golden" ] || { echo "stage.sh: $golden is missing (the meta-data golden file)" >&2; exit 1; }

install -d -m 0755 "$dest/usr/sbin" "$dest/usr/lib/ocf/resource.d/galera-ocf" \
  "$dest/usr/share/galera-ocf" "$dest/$docdir/crm-examples" "$dest/usr/share/man/man8" \
  "$dest/usr/share/man/man7"
install -m 0755 "$bin" "$dest/usr/sbin/galera-ocf"
# Relative, as rpm and Debian policy want for links inside /usr.
ln -sfn ../../../../sbin/galera-ocf "$dest/usr/lib/ocf/resource.d/galera-ocf/galera"
ln -sfn ../../../../sbin/galera-ocf "$dest/usr/lib/ocf/resource.d/galera-ocf/garbd"
install -m 0644 "$golden" "$dest/usr/share/galera-ocf/galera.xml"
install -m 0644 "$top/ocf-metadata/garbd.xml" "$dest/usr/share/galera-ocf/garbd.xml"
[ ! -f "$top/README.md" ] || install -m 0644 "$top/README.md" "$dest/$docdir/README.md"
for f in "$top"/crm-examples/*; do
  mode=0644
  [ -x "$f" ] && mode=0755
  install -m "$mode" "$f" "$dest/$docdir/crm-examples/"
done

man="$dest/usr/share/man/man8/galera-ocf.8"
if "$bin" man >"$man" 2>/dev/null && grep -q '^\.TH' "$man"; then
  echo "stage.sh: man page from 'galera-ocf man'"
else
  # Fallback for a binary without the `man` subcommand: wrap its OCF usage text.
  help=$("$bin" usage 2>&1) || { echo "stage.sh: neither 'galera-ocf man' nor 'usage' works" >&2; exit 1; }
  version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$top/Cargo.toml" | head -n1)
  {
    printf '.TH GALERA-OCF 8 "" "galera-ocf %s" "System Administration"\n' "$version"
    printf '.SH NAME\ngalera-ocf \\- Pacemaker OCF resource agent for MariaDB Galera\n'
    printf '.SH SYNOPSIS\n.B galera-ocf\n.I ACTION\n.br\n.B /usr/lib/ocf/resource.d/galera-ocf/galera\n.I ACTION\n'
    printf '.SH DESCRIPTION\n.nf\n'
    sed -e 's/\\/\\e/g' -e 's/^[.'"'"']/\\\&&/' <<<"$help"
    printf '.fi\n.SH SEE ALSO\n.BR crm (8),\n.BR pcs (8),\n.BR crm_resource (8)\n'
  } >"$man"
  echo "stage.sh: man page generated from the usage text (galera-ocf man not available)"
fi
gzip -9n "$man"
for agent in galera garbd; do
  printf '.so man8/galera-ocf.8\n' | gzip -9n >"$dest/usr/share/man/man7/ocf_galera-ocf_$agent.7.gz"
done
