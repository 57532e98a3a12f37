#!/usr/bin/env bash
# Builds the galera-ocf rpm with rpmbuild from packaging/galera-ocf.spec.
# Usage: packaging/build-rpm.sh [BINARY [OUTDIR]]
#          packages the already built release binary (`--with prebuilt`);
#          BINARY default target/release/galera-ocf, OUTDIR default target/packages
#        packaging/build-rpm.sh --source [OUTDIR]
#          builds from source as a distribution would, without network: Source0 is
#          the tree, Source1 the crates of Cargo.lock (`cargo vendor`), both made
#          here under target/rpm-sources (never committed), and rpmbuild runs in a
#          network namespace of its own (unshare --net), so a build that would need
#          crates.io fails instead of quietly downloading.
# Works on Debian too (package `rpm`). Prints the .rpm path on the last line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
mode=prebuilt
if [ "${1:-}" = --source ]; then
  mode=source
  out=${2:-$top/target/packages}
else
  bin=${1:-$top/target/release/galera-ocf}
  out=${2:-$top/target/packages}
  [ -x "$bin" ] || { echo "build-rpm: $bin is not an executable (cargo build --release)" >&2; exit 1; }
fi
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$top/Cargo.toml" | head -n1)

work=$(mktemp -d /tmp/galera-ocf-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/$version-src/galera-ocf-$version"
mkdir -p "$src" "$work"/{BUILD,RPMS,SOURCES,SPECS,SRPMS,BUILDROOT}
# Source0: what the spec's build needs from the tree (plus the binary when prebuilt).
for p in Cargo.toml Cargo.lock LICENSE src ocf-metadata crm-examples packaging README.md; do
  [ ! -e "$top/$p" ] || cp -a "$top/$p" "$src/"
done
if [ "$mode" = prebuilt ]; then
  mkdir -p "$src/target/release"
  install -m 0755 "$bin" "$src/target/release/galera-ocf"
fi
tar -C "$work/$version-src" -czf "$work/SOURCES/galera-ocf-$version.tar.gz" "galera-ocf-$version"

args=(-bb --define "_topdir $work" --define "pkg_version $version")
[ "$mode" = source ] || args+=(--with prebuilt)
run=()
if [ "$mode" = source ]; then
  # Source1: every crate of Cargo.lock. Made at packaging time and kept under target/ (git-ignored):
  # the repository never holds vendored crates. This step may use the network (or cargo's cache).
  sources="$top/target/rpm-sources"
  rm -rf "$sources" && mkdir -p "$sources"
  cargo vendor --locked --versioned-dirs --manifest-path "$top/Cargo.toml" "$work/vendor-tree/vendor" \
    >/dev/null 2>"$work/vendor.log" || { cat "$work/vendor.log" >&2; exit 1; }
  tar -C "$work/vendor-tree" -czf "$sources/galera-ocf-$version-vendor.tar.gz" vendor
  cp "$work/SOURCES/galera-ocf-$version.tar.gz" "$sources/"
  cp "$sources/galera-ocf-$version-vendor.tar.gz" "$work/SOURCES/"
  # --nodeps: BuildRequires name rpm packages (cargo, rust); on a Debian build host the toolchain is
  # not in the (empty) rpm database, so rpmbuild would refuse although cargo is on PATH.
  args+=(--nodeps)
  # A private network namespace has only a loopback interface, and it is down. The check before
  # rpmbuild makes the log say so, and stops the build if the namespace can still reach crates.io.
  ns=(--net)
  [ "$(id -u)" = 0 ] || ns+=(--map-root-user)
  # shellcheck disable=SC2016 # expanded by the inner bash, inside the namespace
  run=(unshare "${ns[@]}" bash -c '
    ifs=$(awk -F: "NR > 2 { gsub(/ /, \"\", \$1); print \$1 }" /proc/net/dev | tr "\n" " ")
    if timeout 5 bash -c "exec 3<>/dev/tcp/index.crates.io/443" 2>/dev/null; then
      echo "build-rpm: the network namespace reaches index.crates.io" >&2
      exit 1
    fi
    echo "build-rpm: rpmbuild runs without network (interfaces: ${ifs% }; index.crates.io unreachable)"
    exec "$@"' bash)
fi
"${run[@]}" rpmbuild "${args[@]}" \
  "$top/packaging/galera-ocf.spec" >"$work/rpmbuild.log" 2>&1 \
  || { cat "$work/rpmbuild.log" >&2; exit 1; }
grep '^build-rpm: ' "$work/rpmbuild.log" || true
rpm=$(find "$work/RPMS" -name 'galera-ocf-*.rpm' | head -n1)
[ -n "$rpm" ] || { cat "$work/rpmbuild.log" >&2; exit 1; }
mkdir -p "$out"
cp "$rpm" "$out/"
cp "$work/rpmbuild.log" "$out/rpmbuild-$mode.log"
echo "$out/$(basename "$rpm")"
