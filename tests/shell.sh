#!/usr/bin/env bash
# Runs ShellCheck over every shell file of the repository (the `shell` suite of tests/run).
# A shell file is one whose name ends in .sh or .bash, or whose first line is a sh/bash shebang, or that
# carries a `# shellcheck shell=` directive (the sourced libraries without a shebang). Files are taken from
# `git ls-files` (tracked and untracked-but-not-ignored), or from `find` outside a git checkout.
# Every file is checked with `shellcheck -x` at the default severity (style and up): any finding fails.
# Needs shellcheck (tests/lab/install-deps.sh installs it); a missing shellcheck is a failure, never a skip.
# Then checks the lab's scenario list against the registered scenarios (check_scenario_list below).
# Prints one line per file and per scenario and a closing "N passed, N failed"; exit 1 on any failure.
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

# ---- the lab's scenario list ----------------------------------------------------------------------------
# `tests/lab/e2e --list` is the truth: every scenario registered by tests/lab/scenarios/*.sh, in run order,
# with its file. Each must be named in the `# Scenarios` block of its file's header (entries `#   NAME  what
# it proves`, three spaces; continuation lines are indented deeper) and in the scenario table of
# tests/lab/README.md (rows "| `NAME` | `FILE` | ...", in run order); neither may name a scenario that is not
# registered (there), or name one twice.

# scenario_header FILE: the names in FILE's header (its leading comment lines), `# Scenarios` block.
scenario_header() {
  awk '!/^#/ { exit }
    /^# Scenarios/ { on = 1; next }
    on && /^#[[:space:]]*$/ { on = 0 }
    on && /^#   [a-z0-9]/ { print $2 }' "$1"
}
# readme_scenarios: "NAME FILE" for each row of the scenario table in tests/lab/README.md's "## Scenarios".
readme_scenarios() {
  awk '/^## / { on = /^## Scenarios/ }
    on && /^\| `[a-z0-9-]+` \| `[^`]*` \|/ { split($0, c, "`"); print c[2], c[4] }' tests/lab/README.md
}
check_scenario_list() {
  local list name file f rel problems registered=() readme_order=()
  local -A reg_file=() in_header=() in_readme=()
  if ! list=$(bash tests/lab/e2e --list 2>&1) || [ -z "$list" ]; then
    bad "tests/lab/e2e --list lists the registered scenarios"
    printf '%s\n' "$list" | sed 's/^/       /'
    return
  fi
  while IFS=$'\t' read -r name file; do
    registered+=("$name")
    reg_file[$name]=$file
  done <<<"$list"
  for f in tests/lab/scenarios/*.sh; do
    rel=scenarios/${f##*/}
    while read -r name; do
      if [[ " ${in_header[$name]:-} " == *" $rel "* ]]; then
        bad "scenario $name is named twice in the header of $f"
      elif [ -z "${reg_file[$name]:-}" ]; then
        bad "scenario $name is named in the header of $f but not registered"
      elif [ "${reg_file[$name]}" != "$rel" ]; then
        bad "scenario $name is named in the header of $f but registered in tests/lab/${reg_file[$name]}"
      fi
      in_header[$name]="${in_header[$name]:-} $rel"
    done < <(scenario_header "$f")
  done
  while read -r name file; do
    if [ -n "${in_readme[$name]:-}" ]; then
      bad "scenario $name is listed twice in tests/lab/README.md"
    elif [ -z "${reg_file[$name]:-}" ]; then
      bad "scenario $name is listed in tests/lab/README.md but not registered"
    fi
    in_readme[$name]=$file
    readme_order+=("$name")
  done < <(readme_scenarios)
  for name in "${registered[@]}"; do
    problems=()
    [[ " ${in_header[$name]:-} " == *" ${reg_file[$name]} "* ]] ||
      problems+=("missing from the header of tests/lab/${reg_file[$name]}")
    if [ -z "${in_readme[$name]:-}" ]; then
      problems+=("missing from the scenario table of tests/lab/README.md")
    elif [ "scenarios/${in_readme[$name]}" != "${reg_file[$name]}" ]; then
      problems+=("tests/lab/README.md gives its file as ${in_readme[$name]}")
    fi
    if [ ${#problems[@]} -eq 0 ]; then
      ok "scenario $name: registered in tests/lab/${reg_file[$name]}, named in its header and in tests/lab/README.md"
    else
      bad "scenario $name (registered in tests/lab/${reg_file[$name]}): $(IFS=';'; echo "${problems[*]}")"
    fi
  done
  if [ "${readme_order[*]}" = "${registered[*]}" ]; then
    ok "tests/lab/README.md lists the ${#registered[@]} scenarios in run order"
  else
    bad "tests/lab/README.md's scenario table is not in run order"
    echo "       run order (tests/lab/e2e --list): ${registered[*]}"
    echo "       tests/lab/README.md:               ${readme_order[*]}"
  fi
}
check_scenario_list

finish
