#!/usr/bin/env bash
# Benchmarks: xpv's frontends next to mainline's in-tree Xen drivers, in one
# rig run (one Xen, one dom0, the two guests one after the other, each on a
# new disk), running the programs in bench/.
#   bench.sh XPV_BZIMAGE REFERENCE_BZIMAGE
# Prints each figure for both kernels and their ratio (xpv / reference;
# above 1.0 xpv is faster). Figures, not a test: exits non-zero only if the
# run itself failed. The table is also saved as bench.txt in the run's logs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: bench.sh XPV_BZIMAGE REFERENCE_BZIMAGE"
xpv=$1 ref=$2
for k in "$xpv" "$ref"; do
	[ -f "$k" ] || die "kernel '$k' does not exist" "make build build-ref"
done

log "benchmark run: xpv, then reference, in one rig run (takes a few minutes)"
rc=0
XPV_SELFTESTS_DIR=$XPV_TOP/bench "$XPV_TOP/scripts/rig/boot.sh" --name xpv-bench \
	--kernel "$xpv" --next reference-bench "$ref" --timeout 1200 || rc=$?
run=$(readlink -f "$XPV_CACHE/runs/xpv-bench-latest")

# "  blk-bench| XPV-BENCH: blk seq-read-1m 812.3 MiB/s" -> "blk seq-read-1m 812.3 MiB/s"
# (the console line, not its copy in the kernel log, "[  12.3] ...").
figures() {
	sed -n 's/^  [a-z0-9-]*| XPV-BENCH: \([a-z]* [A-Za-z0-9_.-]* [0-9.]* [A-Za-z/]*\)$/\1/p' \
		"$run/guest-console-$1.log" 2>/dev/null
}

{
	printf '%-28s %12s %12s %7s\n' figure xpv reference ratio
	join -j 1 -a 1 -a 2 -e - -o 0,1.2,2.2,1.3,2.3 \
		<(figures xpv-bench | awk '{ print $1 "/" $2, $3, $4 }' | sort) \
		<(figures reference-bench | awk '{ print $1 "/" $2, $3, $4 }' | sort) |
		awk '{
			unit = $4 != "-" ? $4 : $5
			ratio = ($2 != "-" && $3 != "-" && $3 > 0) ? sprintf("%.2fx", $2 / $3) : "-"
			printf "%-28s %12s %12s %7s\n", $1 " (" unit ")", $2, $3, ratio
		}'
} | tee "$run/bench.txt"
[ "$(wc -l <"$run/bench.txt")" -gt 1 ] || warn "no figures came out of the run" "see $run/"
log "figures saved in $run/bench.txt"
[ $rc -eq 0 ] || die "the benchmark run failed (rig exit $rc)" "see $run/"
