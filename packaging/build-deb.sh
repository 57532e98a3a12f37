#!/usr/bin/env bash
# Builds galera-ocf_<version>_<arch>.deb with plain dpkg-deb (no debhelper,
# no cargo-deb) from an already built release binary.
# Usage: packaging/build-deb.sh [BINARY [OUTDIR]]
#   BINARY default target/release/galera-ocf (cargo build --release --locked)
#   OUTDIR default target/packages
# Prints the path of the .deb on the last line.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
bin=${1:-$top/target/release/galera-ocf}
out=${2:-$top/target/packages}
version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$top/Cargo.toml" | head -n1)
arch=$(dpkg --print-architecture)
[ -n "$version" ] || { echo "build-deb: no version in Cargo.toml" >&2; exit 1; }

stage=$(mktemp -d /tmp/galera-ocf-deb.XXXXXX)
trap 'rm -rf "$stage"' EXIT
root="$stage/root"
mkdir -p "$root/DEBIAN"

bash "$top/packaging/stage.sh" "$root" "$bin"
install -m 0644 "$top/packaging/copyright" "$root/usr/share/doc/galera-ocf/copyright"
printf 'galera-ocf (%s) unstable; urgency=medium\n\n  * Package built by packaging/build-deb.sh.\n\n -- galera-ocf maintainers <maintainers@galera-ocf.invalid>  %s\n' \
  "$version" "$(date -R -u -d @"${SOURCE_DATE_EPOCH:-$(git -C "$top" log -1 --format=%ct 2>/dev/null || date +%s)}")" \
  | gzip -9n >"$root/usr/share/doc/galera-ocf/changelog.Debian.gz"

# Shared-library dependencies of the binary: dpkg-shlibdeps when dpkg-dev is
# installed; else the packages owning the libraries ldd resolves, with libc6
# versioned by the highest GLIBC_ symbol version the binary references.
shlibs=
if command -v dpkg-shlibdeps >/dev/null; then
  mkdir -p "$stage/debian"
  printf 'Source: galera-ocf\n\nPackage: galera-ocf\nArchitecture: any\n' >"$stage/debian/control"
  shlibs=$(cd "$stage" && { dpkg-shlibdeps -O "$root/usr/sbin/galera-ocf" 2>/dev/null || true; } \
    | sed -n "s/^shlibs:Depends=//p")
fi
if [ -z "$shlibs" ]; then
  glibc=$(grep -aoE 'GLIBC_2\.[0-9]+' "$root/usr/sbin/galera-ocf" | sort -uV | tail -n1 | cut -d_ -f2 || true)
  pkgs=()
  while read -r lib; do
    owner=
    for cand in "$lib" "$(readlink -f "$lib")" "${lib#/usr}" "/usr${lib}"; do
      owner=$(dpkg -S "$cand" 2>/dev/null | head -n1 | cut -d: -f1) && [ -n "$owner" ] && break
    done
    [ -z "$owner" ] || [ "$owner" = libc6 ] || pkgs+=("$owner")
  done < <(ldd "$root/usr/sbin/galera-ocf" 2>/dev/null | awk '$2 == "=>" && $3 ~ /^\// {print $3}')
  shlibs="libc6 (>= ${glibc:-2.17})"
  for p in $(printf '%s\n' "${pkgs[@]}" | sort -u); do shlibs="$shlibs, $p"; done
fi

size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)
cat >"$root/DEBIAN/control" <<CONTROL
Package: galera-ocf
Version: $version
Architecture: $arch
Maintainer: galera-ocf maintainers <maintainers@galera-ocf.invalid>
Installed-Size: $size
Depends: $shlibs, resource-agents, pacemaker-cli-utils
Recommends: pacemaker, mariadb-server, galera-4
Suggests: crmsh | pcs, mariadb-backup, socat, rsync
Section: admin
Priority: optional
Description: Pacemaker OCF resource agent for MariaDB Galera (promotable clone)
 galera-ocf runs MariaDB Galera as a promotable clone under Pacemaker:
 ocf:galera-ocf:galera. It publishes each node's last committed position,
 elects the single node that may bootstrap after a full outage, joins the
 others to the running Primary component and reports Synced members as
 Promoted. Written in Rust; parameters compatible with ocf:heartbeat:galera.
 .
 Example crmsh/pcs configurations are in /usr/share/doc/galera-ocf/.
CONTROL
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z \
  | xargs -0 md5sum) >"$root/DEBIAN/md5sums"

mkdir -p "$out"
deb="$out/galera-ocf_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
