#!/usr/bin/env bash
# Builds the galera-ocf rpm with rpmbuild from packaging/galera-ocf.spec,
# packaging the already built release binary (`--with prebuilt`).
# Usage: packaging/build-rpm.sh [BINARY [OUTDIR]]
#   BINARY default target/release/galera-ocf, OUTDIR default target/packages
# Works on Debian too (package `rpm`). Prints the .rpm path on the last line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/target/release/galera-ocf}
out=${2:-$top/target/packages}
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$top/Cargo.toml" | head -n1)
[ -x "$bin" ] || { echo "build-rpm: $bin is not an executable (cargo build --release)" >&2; exit 1; }

work=$(mktemp -d /tmp/galera-ocf-rpm.XXXXXX)
trap 'rm -rf "$work"' EXIT
src="$work/$version-src/galera-ocf-$version"
mkdir -p "$src/target/release" "$work"/{BUILD,RPMS,SOURCES,SPECS,SRPMS,BUILDROOT}
# Source0: what the spec's build needs from the tree, plus the binary.
for p in Cargo.toml Cargo.lock LICENSE src ocf-metadata crm-examples packaging README.md; do
  [ ! -e "$top/$p" ] || cp -a "$top/$p" "$src/"
done
install -m 0755 "$bin" "$src/target/release/galera-ocf"
tar -C "$work/$version-src" -czf "$work/SOURCES/galera-ocf-$version.tar.gz" "galera-ocf-$version"

rpmbuild -bb --with prebuilt \
  --define "_topdir $work" \
  --define "pkg_version $version" \
  "$top/packaging/galera-ocf.spec" >"$work/rpmbuild.log" 2>&1 \
  || { cat "$work/rpmbuild.log" >&2; exit 1; }
rpm=$(find "$work/RPMS" -name 'galera-ocf-*.rpm' | head -n1)
[ -n "$rpm" ] || { cat "$work/rpmbuild.log" >&2; exit 1; }
mkdir -p "$out"
cp "$rpm" "$out/"
echo "$out/$(basename "$rpm")"
