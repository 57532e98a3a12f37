#!/usr/bin/env bash
# Format, lint and test the Rust crate: the gate .ci/run calls.
#
# Needs (never skipped; a missing one fails the run): the Rust toolchain with rustfmt and clippy, and for the
# tier-2 tests in tests/server.rs ROOT (network namespaces via `ip netns`, mariadbd --user=mysql) plus the
# Debian packages mariadb-server galera-4 rsync pacemaker-cli-utils resource-agents iproute2 socat strace
# libxml2-utils
# (see ../shared/lab-notes.md). tests/cli.rs needs xmllint and the resource-agents DTD.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" != 0 ]; then
    echo "tests/run-rust.sh: the tier-2 tests need root (ip netns, mariadbd --user=mysql)" >&2
    exit 1
fi

cargo fmt --all -- --check
cargo clippy --all-targets -- -D warnings
cargo test
