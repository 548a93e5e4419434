#!/usr/bin/env bash
# Run every test and end with "N passed, M failed". Each test's output goes
# to $XPV_CACHE/test-logs/NAME.log; a failing test's tail is shown.
#   run-tests.sh [NAME...]      (default: all, in the order below)
set -uo pipefail
. "$(dirname "$0")/lib.sh"

all=(bench-table roundtrip quilt bad-input per-patch-check boot-xpv boot-xpv-features-off boot-xpv-qdisk boot-reference rig-fault)
declare -A cmd=(
	[bench-table]="$XPV_TOP/scripts/test-bench-table.sh"
	[roundtrip]="$XPV_TOP/scripts/test-roundtrip.sh"
	[quilt]="$XPV_TOP/scripts/test-quilt.sh"
	[bad-input]="$XPV_TOP/scripts/test-bad-input.sh"
	[per-patch-check]="$XPV_TOP/scripts/check-patches.sh"
	[boot-xpv]="$XPV_TOP/scripts/test-boot.sh xpv"
	[boot-xpv-features-off]="$XPV_TOP/scripts/test-boot.sh xpv-features-off"
	[boot-xpv-qdisk]="$XPV_TOP/scripts/test-boot.sh xpv-qdisk"
	[boot-reference]="$XPV_TOP/scripts/test-boot.sh reference"
	[rig-fault]="$XPV_TOP/scripts/test-rig-fault.sh"
)
tests=("$@")
[ ${#tests[@]} -gt 0 ] || tests=("${all[@]}")

logs=$XPV_CACHE/test-logs
mkdir -p "$logs"
passed=0 failed=0 failures=()
for t in "${tests[@]}"; do
	[ -n "${cmd[$t]:-}" ] || die "no test named '$t'" "known tests: ${all[*]}"
	log "test $t: running"
	start=$(date +%s)
	# shellcheck disable=SC2086
	if ${cmd[$t]} >"$logs/$t.log" 2>&1; then
		passed=$((passed + 1))
		log "test $t: PASS ($(($(date +%s) - start)) s)"
		grep -vE '^\[xpv ' "$logs/$t.log" | tail -n 12 | sed 's/^/    /'
	else
		failed=$((failed + 1)); failures+=("$t")
		log "test $t: FAIL ($(($(date +%s) - start)) s), last lines of $logs/$t.log:"
		tail -n 25 "$logs/$t.log" | sed 's/^/    /'
	fi
done
[ $failed -eq 0 ] || echo "failed: ${failures[*]}"
echo "$passed passed, $failed failed"
[ $failed -eq 0 ]
