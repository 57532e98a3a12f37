#!/usr/bin/env bash
# Packaging test: builds the .deb (packaging/build-deb.sh) and the .rpm
# (packaging/build-rpm.sh, rpmbuild) from target/release/galera-ocf and checks
#   * the .deb is built with networking unavailable (unshare --net); a second
#     .rpm is built from source with vendored crates and rpmbuild in a network
#     namespace of its own (build-rpm.sh --source), its binary prints the golden
#     meta-data, and the repository holds no vendored crates;
#   * both contain the same files: binary, OCF agent symlink, meta-data golden
#     file, crm-examples under /usr/share/doc/galera-ocf, man page galera-ocf.8;
#   * the .deb installs into an empty root (dpkg --root) and `dpkg -r` leaves
#     none of its files behind;
#   * the .deb installs with the real dpkg database of this machine (so its
#     Depends are really resolved), `crm_resource --show-metadata
#     ocf:galera-ocf:galera` and `crm ra info` then print our meta-data, the
#     man page renders, and `dpkg -r` removes every file it installed.
# The second install must not change this machine (other helpers and the lab
# use it): it runs in a private mount namespace where /usr, /var/lib/dpkg and
# /var/log are overlays whose writes land in a temporary directory that is
# deleted at the end. So "dpkg -i on this machine" without touching it.
#
# Needs root, target/release/galera-ocf (cargo build --release),
# ocf-metadata/galera.xml and the tools dpkg, rpm/rpmbuild, crmsh, xmllint,
# man (man-db); a missing tool is a failure, never a skip.
# Prints "N passed, N failed"; exit 1 on failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${GALERA_OCF_BIN:-$top/target/release/galera-ocf}   # override for debugging the test
golden="$top/ocf-metadata/galera.xml"

# shellcheck source=tests/tally.sh
. "$top/tests/tally.sh"

work=$(mktemp -d /tmp/galera-ocf-packaging.XXXXXX)
trap 'rm -rf "$work"' EXIT

for tool in dpkg dpkg-deb rpmbuild rpm rpm2archive cargo crm_resource crm unshare xmllint man zcat; do
  command -v "$tool" >/dev/null || bad "required tool $tool is not installed"
done
[ "$(id -u)" = 0 ] || bad "must run as root (mount namespace for the install test)"
[ -x "$bin" ] || bad "$bin missing: run cargo build --release --locked first"
[ -s "$golden" ] || bad "$golden missing (meta-data golden file)"
if [ "$failed" -gt 0 ]; then
  finish
  exit 1
fi

# Paths both packages must install (the symlink is checked separately).
expected=(
  /usr/sbin/galera-ocf
  /usr/lib/ocf/resource.d/galera-ocf/galera
  /usr/lib/ocf/resource.d/galera-ocf/garbd
  /usr/share/galera-ocf/galera.xml
  /usr/share/galera-ocf/garbd.xml
  /usr/share/doc/galera-ocf/crm-examples/arbitrator.crm
  /usr/share/man/man8/galera-ocf.8.gz
  /usr/share/man/man7/ocf_galera-ocf_galera.7.gz
  /usr/share/man/man7/ocf_galera-ocf_garbd.7.gz
  /usr/share/doc/galera-ocf/crm-examples/cluster.crm
  /usr/share/doc/galera-ocf/crm-examples/pcs-setup.sh
  /usr/share/doc/galera-ocf/crm-examples/galera.cnf
  /usr/share/doc/galera-ocf/crm-examples/README.md
)

# --- .deb ---------------------------------------------------------------------
# In a network namespace of its own: packaging needs nothing from the network.
if deb=$(unshare --net bash "$top/packaging/build-deb.sh" "$bin" "$work/out" 2>"$work/deb.err" | tail -n1) \
  && [ -f "$deb" ]; then
  ok "build-deb.sh built $(basename "$deb") with networking unavailable (unshare --net)"
else
  bad "build-deb.sh failed: $(cat "$work/deb.err")"
  finish
  exit 1
fi
# Non-directory entries only (directories are listed differently by the two formats).
dpkg-deb -c "$deb" | awk '$1 !~ /^d/ {print $6}' | sed 's|^\./|/|' >"$work/deb.list"
missing=()
for p in "${expected[@]}"; do grep -qx "$p" "$work/deb.list" || missing+=("$p"); done
if [ ${#missing[@]} -eq 0 ]; then
  ok ".deb contains binary, agent, meta-data, examples, man page"
else
  bad ".deb lacks: ${missing[*]}"
fi
if dpkg-deb -c "$deb" | grep -E '^l.* \./usr/lib/ocf/resource\.d/galera-ocf/galera -> \.\./\.\./\.\./\.\./sbin/galera-ocf$' >/dev/null; then
  ok ".deb: OCF agent is a relative symlink to /usr/sbin/galera-ocf"
else
  bad ".deb: OCF agent is not the expected symlink"
fi
depends=$(dpkg-deb -f "$deb" Depends)
if grep -qw resource-agents <<<"$depends" && grep -qw pacemaker-cli-utils <<<"$depends"; then
  ok ".deb Depends: $depends"
else
  bad ".deb Depends lacks resource-agents/pacemaker-cli-utils: $depends"
fi

# Clean root: install and remove, account for every file.
root="$work/root"
mkdir -p "$root/var/lib/dpkg/info" "$root/var/lib/dpkg/updates"
touch "$root/var/lib/dpkg/status"
dpk() { dpkg --root="$root" --log=/dev/null --force-not-root --force-depends "$@"; }
if dpk -i "$deb" >"$work/root-install.log" 2>&1; then
  n=0
  for p in "${expected[@]}"; do [ -e "$root$p" ] || [ -L "$root$p" ] || n=$((n + 1)); done
  if [ $n -eq 0 ]; then
    ok "dpkg --root: installs into an empty root"
  else
    bad "dpkg --root: $n expected files missing after install"
  fi
  dpkg --root="$root" -L galera-ocf >"$work/root-files" 2>/dev/null
  if dpk -r galera-ocf >"$work/root-remove.log" 2>&1; then
    left=$(cd "$root" && find . -path ./var/lib/dpkg -prune -o ! -type d -print | sed 's|^\.||')
    if [ -z "$left" ]; then
      ok "dpkg --root -r: no file of the package is left"
    else
      bad "dpkg --root -r left files behind: $left"
    fi
  else
    bad "dpkg --root -r failed: $(cat "$work/root-remove.log")"
  fi
else
  bad "dpkg --root -i failed: $(cat "$work/root-install.log")"
fi

# This machine, in a private mount namespace with overlays (see the header).
cat >"$work/inner.sh" <<'INNER'
set -uo pipefail
work=$1 deb=$2 golden=$3
for d in /usr /var/lib/dpkg /var/log; do
  n=$(echo "$d" | tr / _)
  mkdir -p "$work/ov/$n/upper" "$work/ov/$n/work"
  mount -t overlay overlay -o "lowerdir=$d,upperdir=$work/ov/$n/upper,workdir=$work/ov/$n/work" "$d" \
    || { echo "FAIL - cannot overlay $d"; exit 1; }
done
say() { echo "$1 - $2"; }
if dpkg -s galera-ocf >/dev/null 2>&1; then
  say FAIL "galera-ocf is already installed on this machine; the install test would be meaningless"
  exit 0
fi
if dpkg -i "$deb" >"$work/host-install.log" 2>&1; then
  say ok "dpkg -i with this machine's dpkg database (Depends satisfied)"
else
  say FAIL "dpkg -i: $(tr '\n' ' ' <"$work/host-install.log")"
  exit 0
fi
dpkg -L galera-ocf | sort >"$work/host-files"
crm_resource --show-metadata ocf:galera-ocf:galera >"$work/crm_resource.xml" 2>"$work/crm_resource.err"
if xmllint --c14n "$work/crm_resource.xml" >"$work/a.c14n" 2>/dev/null \
  && xmllint --c14n "$golden" >"$work/b.c14n" 2>/dev/null && cmp -s "$work/a.c14n" "$work/b.c14n"; then
  say ok "crm_resource --show-metadata ocf:galera-ocf:galera prints the golden meta-data"
else
  say FAIL "crm_resource --show-metadata differs from ocf-metadata/galera.xml: $(head -c 300 "$work/crm_resource.err") $(diff "$work/a.c14n" "$work/b.c14n" 2>&1 | head -5)"
fi
if crm ra info ocf:galera-ocf:galera 2>&1 | grep 'wsrep_cluster_address' >/dev/null; then
  say ok "crm ra info ocf:galera-ocf:galera shows the parameters"
else
  say FAIL "crm ra info ocf:galera-ocf:galera does not show wsrep_cluster_address"
fi
if cmp -s /usr/share/galera-ocf/galera.xml "$golden"; then
  say ok "/usr/share/galera-ocf/galera.xml is the golden file"
else
  say FAIL "/usr/share/galera-ocf/galera.xml differs from the golden file"
fi
if zcat /usr/share/man/man8/galera-ocf.8.gz | grep '^\.SH "\?PARAMETERS' >/dev/null; then
  say ok "man page is the one from 'galera-ocf man' (clap_mangen, with the parameter table)"
else
  say FAIL "man page is not from 'galera-ocf man' (fallback page or missing)"
fi
if zcat /usr/share/man/man8/galera-ocf.8.gz | grep '^\.TH' >/dev/null; then
  # man(1) is a required tool (checked at the top, package man-db): never skipped.
  if ! command -v man >/dev/null; then
    say FAIL "man(1) is not installed (package man-db): the man page cannot be rendered"
  elif MANWIDTH=80 man --warnings -l /usr/share/man/man8/galera-ocf.8.gz 2>"$work/man.err" | grep -i galera >/dev/null \
    && [ ! -s "$work/man.err" ]; then
    say ok "man page renders without warnings"
  else
    say FAIL "man page does not render cleanly: $(head -c 300 "$work/man.err")"
  fi
else
  say FAIL "man page has no .TH header"
fi
# resource-agents users look for ocf_<provider>_<agent>(7): it must show the same page.
if MANWIDTH=80 man 7 ocf_galera-ocf_galera 2>/dev/null | grep 'THE ARBITRATOR AGENT' >/dev/null; then
  say ok "ocf_galera-ocf_galera(7) shows galera-ocf(8)"
else
  say FAIL "ocf_galera-ocf_galera(7) does not show galera-ocf(8)"
fi
if dpkg -r galera-ocf >"$work/host-remove.log" 2>&1; then
  left=()
  while read -r p; do
    [ "$p" = /. ] && continue
    # Shared directories (/usr, /usr/share/doc ...) stay; anything else must go.
    if [ -L "$p" ] || [ -f "$p" ]; then left+=("$p"); fi
    case "$p" in /usr/lib/ocf/resource.d/galera-ocf|/usr/share/galera-ocf|/usr/share/doc/galera-ocf*)
      [ -e "$p" ] && left+=("$p") ;;
    esac
  done <"$work/host-files"
  if [ ${#left[@]} -eq 0 ]; then
    say ok "dpkg -r removes every file and directory of its own"
  else
    say FAIL "dpkg -r left: ${left[*]}"
  fi
else
  say FAIL "dpkg -r: $(tr '\n' ' ' <"$work/host-remove.log")"
fi
INNER
while read -r status rest; do
  case "$status" in
    ok) ok "${rest#- }" ;;
    FAIL) bad "${rest#- }" ;;
  esac
done < <(unshare --mount --propagation private bash "$work/inner.sh" "$work" "$deb" "$golden" 2>&1)
if [ -e /usr/lib/ocf/resource.d/galera-ocf/galera.dpkg-new ] || dpkg -s galera-ocf >/dev/null 2>&1; then
  bad "the namespaced install leaked onto this machine"
fi

# --- .rpm ---------------------------------------------------------------------
license_re='^/usr/share/licenses/galera-ocf(-[^/]*)?/LICENSE$'
if rpmf=$(bash "$top/packaging/build-rpm.sh" "$bin" "$work/out" 2>"$work/rpm.err" | tail -n1) \
  && [ -f "$rpmf" ]; then
  ok "build-rpm.sh (rpmbuild) built $(basename "$rpmf")"
  rpm -qlp "$rpmf" 2>/dev/null >"$work/rpm.all"
  rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpmf" 2>/dev/null | awk '$1 !~ /^d/ {print $2}' >"$work/rpm.list"
  echo "     rpm files:"
  sed 's/^/       /' "$work/rpm.all"
  missing=()
  for p in "${expected[@]}"; do grep -qx "$p" "$work/rpm.list" || missing+=("$p"); done
  # %license: /usr/share/licenses/galera-ocf/ (Fedora, RHEL) or .../galera-ocf-VERSION/ (older rpm macros).
  grep -qE "$license_re" "$work/rpm.list" || missing+=("/usr/share/licenses/galera-ocf/LICENSE")
  if [ ${#missing[@]} -eq 0 ]; then
    ok ".rpm contains binary, agent, meta-data, examples, man page, %license LICENSE"
  else
    bad ".rpm lacks: ${missing[*]}"
  fi
  grep -v -e '^/usr/share/doc/galera-ocf/changelog.Debian.gz$' -e '^/usr/share/doc/galera-ocf/copyright$' \
    "$work/deb.list" | sort >"$work/deb.cmp"
  grep -vE "$license_re" "$work/rpm.list" | sort >"$work/rpm.cmp"
  if cmp -s "$work/deb.cmp" "$work/rpm.cmp"; then
    ok ".rpm and .deb install the same files (besides Debian's changelog/copyright and the rpm's %license)"
  else
    bad ".rpm and .deb differ: $(diff "$work/deb.cmp" "$work/rpm.cmp" | head -10 | tr '\n' ' ')"
  fi
  req=$(rpm -qRp "$rpmf" 2>/dev/null | tr '\n' ' ')
  if grep -qw resource-agents <<<"$req" && grep -qw pacemaker-cli <<<"$req"; then
    ok ".rpm Requires: $req"
  else
    bad ".rpm Requires lacks resource-agents/pacemaker-cli: $req"
  fi
else
  bad "build-rpm.sh failed: $(tail -20 "$work/rpm.err")"
fi

# --- .rpm from source, offline --------------------------------------------------
# The vendored crates are made at packaging time under target/, never committed.
vendored=$(git -C "$top" ls-files | grep -E '(^|/)vendor/|\.crate$' | head -3)
if [ -z "$vendored" ]; then
  ok "the repository holds no vendored crates"
else
  bad "vendored crates are committed: $vendored"
fi
# A full release build inside rpmbuild (~5 min on 2 cores).
if bash "$top/packaging/build-rpm.sh" --source "$work/out-src" >"$work/rpm-src.out" 2>"$work/rpm-src.err" \
  && rpm_src=$(tail -n1 "$work/rpm-src.out") && [ -f "$rpm_src" ]; then
  ok "build-rpm.sh --source built $(basename "$rpm_src") from Source0 + vendored Source1 (target/rpm-sources)"
  # build-rpm.sh checks inside the namespace, before rpmbuild, that crates.io is unreachable.
  if grep -q '^build-rpm: rpmbuild runs without network (interfaces: lo;' "$work/rpm-src.out"; then
    ok "rpmbuild ran with networking unavailable: $(grep '^build-rpm: ' "$work/rpm-src.out")"
  else
    bad "no proof that rpmbuild ran without network: $(head -5 "$work/rpm-src.out")"
  fi
  if grep -q -- 'cargo build --release --offline --locked' "$work/out-src/rpmbuild-source.log" \
    && grep -q 'Compiling galera-ocf' "$work/out-src/rpmbuild-source.log"; then
    ok "the rpm's binary was compiled inside rpmbuild (cargo build --offline --locked)"
  else
    bad "rpmbuild log shows no offline cargo build of galera-ocf"
  fi
  mkdir -p "$work/src-root"
  if rpm2archive - <"$rpm_src" | tar -C "$work/src-root" -xzf - \
    && "$work/src-root/usr/sbin/galera-ocf" meta-data | cmp -s - "$golden"; then
    ok "the binary built from source prints the golden meta-data"
  else
    bad "the binary of the source-built rpm does not print ocf-metadata/galera.xml"
  fi
  rpm -qp --qf '[%{FILEMODES:perms} %{FILENAMES}\n]' "$rpm_src" 2>/dev/null | awk '$1 !~ /^d/ {print $2}' \
    | sort >"$work/rpm-src.list"
  if [ -s "$work/rpm-src.list" ] && sort "$work/rpm.list" 2>/dev/null | cmp -s - "$work/rpm-src.list"; then
    ok ".rpm from source installs the same files as the prebuilt .rpm"
  else
    bad ".rpm from source and prebuilt .rpm differ: $(sort "$work/rpm.list" 2>/dev/null | diff - "$work/rpm-src.list" | head -10 | tr '\n' ' ')"
  fi
else
  bad "build-rpm.sh --source failed: $(tail -20 "$work/rpm-src.err")"
fi

finish
