# shellcheck shell=bash
# Pass/fail tally of the shell test suites (tests/examples.sh, tests/packaging.sh): `ok WHAT`, `bad WHAT`,
# and `finish`, which prints the closing "N passed, N failed" line and fails when anything did.
passed=0 failed=0
ok() { passed=$((passed + 1)); echo "ok   - $*"; }
bad() { failed=$((failed + 1)); echo "FAIL - $*"; }
finish() {
  echo "$passed passed, $failed failed"
  [ "$failed" -eq 0 ]
}
