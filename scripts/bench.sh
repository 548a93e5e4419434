#!/usr/bin/env bash
# Benchmarks: xpv's frontends next to mainline's in-tree Xen drivers, in one
# rig run (one Xen, one dom0, the guests one after the other, each on a new
# disk), running the programs in bench/.
#   bench.sh XPV_BZIMAGE REFERENCE_BZIMAGE
# The two kernels take turns, ROUNDS times each (env, default 2; the
# reference first), so that a machine that gets busier or quieter during
# the run weighs on both alike. Prints each figure's mean for both kernels,
# the ratio of the means (xpv / reference; above 1.0 xpv is faster) and
# each kernel's spread (lowest-highest). Figures, not a test: exits non-zero
# only if the run itself failed. The table is also saved as bench.txt in
# the run's logs.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: bench.sh XPV_BZIMAGE REFERENCE_BZIMAGE"
xpv=$1 ref=$2 rounds=${ROUNDS:-2}
for k in "$xpv" "$ref"; do
	[ -f "$k" ] || die "kernel '$k' does not exist" "make build build-ref"
done
[[ $rounds =~ ^[1-9]$ ]] || die "ROUNDS=$rounds: give 1 to 9"

args=(--name reference-1 --kernel "$ref")
for r in $(seq 1 "$rounds"); do
	[ "$r" = 1 ] || args+=(--next "reference-$r" "$ref")
	args+=(--next "xpv-$r" "$xpv")
done
log "benchmark run: reference and xpv taking turns, $rounds rounds, one rig run (several minutes)"
rc=0
XPV_SELFTESTS_DIR=$XPV_TOP/bench "$XPV_TOP/scripts/rig/boot.sh" "${args[@]}" \
	--timeout $((600 * rounds)) || rc=$?
run=$(readlink -f "$XPV_CACHE/runs/reference-1-latest")

# "  blk-bench| XPV-BENCH: blk seq-read-1m 812.3 MiB/s" -> "xpv blk/seq-read-1m 812.3 MiB/s"
# (the console line, not its copy in the kernel log, "[  12.3] ...").
figures() {
	local f kernel
	for f in "$run"/guest-console-*.log; do
		kernel=$(basename "$f" .log)
		kernel=${kernel#guest-console-}
		sed -n 's/^  [a-z0-9-]*| XPV-BENCH: \([a-z]*\) \([A-Za-z0-9_.-]*\) \([0-9.]*\) \([A-Za-z/]*\)$/\1\/\2 \3 \4/p' "$f" |
			sed "s/^/${kernel%-*} /"
	done
}

figures | awk -v rounds="$rounds" '
	{
		k = $1; f = $2 " (" $4 ")"; v = $3 + 0
		figs[f] = 1; n[k, f]++; sum[k, f] += v
		if (!((k, f) in lo) || v < lo[k, f]) lo[k, f] = v
		if (!((k, f) in hi) || v > hi[k, f]) hi[k, f] = v
	}
	function mean(k, f) { return n[k, f] ? sprintf("%.1f", sum[k, f] / n[k, f]) : "-" }
	function spread(k, f) { return n[k, f] ? sprintf("%.0f-%.0f", lo[k, f], hi[k, f]) : "-" }
	END {
		printf "%-28s %9s %9s %7s   %-13s %-13s\n", "figure (mean of " rounds ")", "xpv", "reference", "ratio", "xpv range", "ref range"
		m = 0
		for (f in figs) list[++m] = f
		for (i = 1; i <= m; i++)	# sort the few names by hand: portable awk
			for (j = i + 1; j <= m; j++)
				if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
		for (i = 1; i <= m; i++) {
			f = list[i]
			x = mean("xpv", f); r = mean("reference", f)
			ratio = (x != "-" && r != "-" && r > 0) ? sprintf("%.2fx", x / r) : "-"
			printf "%-28s %9s %9s %7s   %-13s %-13s\n", f, x, r, ratio, spread("xpv", f), spread("reference", f)
		}
	}' | tee "$run/bench.txt"
[ "$(wc -l <"$run/bench.txt")" -gt 1 ] || warn "no figures came out of the run" "see $run/"
log "figures saved in $run/bench.txt"
[ $rc -eq 0 ] || die "the benchmark run failed (rig exit $rc)" "see $run/"
