#!/usr/bin/env bash
# Runs ShellCheck over every shell file of the repository (the `shell` suite of tests/run).
# A shell file is one whose name ends in .sh or .bash, or whose first line is a sh/bash shebang, or that
# carries a `# shellcheck shell=` directive (the sourced libraries without a shebang). Files are taken from
# `git ls-files` (tracked and untracked-but-not-ignored), or from `find` outside a git checkout.
# Every file is checked with `shellcheck -x` at the default severity (style and up): any finding fails.
# Needs shellcheck (tests/lab/install-deps.sh installs it); a missing shellcheck is a failure, never a skip.
# Prints one line per file and a closing "N passed, N failed"; exit 1 on any failure.
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top" || exit 2

# shellcheck source=tests/tally.sh
. "$top/tests/tally.sh"

if ! command -v shellcheck >/dev/null; then
  bad "shellcheck is not installed (package shellcheck; tests/lab/install-deps.sh installs it)"
  finish
  exit 1
fi

list_files() {
  if git -C "$top" rev-parse --is-inside-work-tree >/dev/null 2>&1; then
    git -C "$top" ls-files -z --cached --others --exclude-standard
  else
    find . -path ./target -prune -o -path ./.git -prune -o -type f -printf '%P\0'
  fi
}
is_shell() {
  local f=$1 first
  [ -f "$f" ] || return 1
  case "$f" in *.sh | *.bash) return 0 ;; esac
  IFS= read -r first <"$f" 2>/dev/null || first=
  case "$first" in '#!'*/sh | '#!'*/bash | '#!'*/sh\ * | '#!'*/bash\ * | '#!'*'env bash'* | '#!'*'env sh'*) return 0 ;; esac
  head -n 5 "$f" 2>/dev/null | grep -qE '^# shellcheck shell=(sh|bash)'
}

files=()
while IFS= read -r -d '' f; do
  is_shell "$f" && files+=("$f")
done < <(list_files)

if [ ${#files[@]} -lt 10 ]; then
  bad "found only ${#files[@]} shell files (${files[*]:-none}); the file discovery is broken"
  finish
  exit 1
fi

echo "     $(shellcheck --version | sed -n 's/^version: /shellcheck /p'), ${#files[@]} files"
for f in "${files[@]}"; do
  if out=$(shellcheck -x "$f" 2>&1); then
    ok "shellcheck $f"
  else
    bad "shellcheck $f"
    printf '%s\n' "$out" | sed 's/^/       /'
  fi
done

finish
