#!/usr/bin/env bash
# Benchmarks: xpv's frontends next to mainline's in-tree Xen drivers, in one
# rig run (one Xen, one dom0, the guests one after the other, each on a new
# disk), running the programs in bench/.
#   bench.sh XPV_BZIMAGE REFERENCE_BZIMAGE
# The two kernels take turns, ROUNDS times each (env, default 2; the
# reference first), so that a machine that gets busier or quieter during
# the run weighs on both alike. Prints each figure's mean for both kernels,
# the ratio of the means (xpv / reference; above 1.0 xpv is faster), the
# medians and their ratio, each kernel's spread, the samples and guests,
# and a 95% confidence interval for the ratio (bench-table.sh).
# Only guests that ran every benchmark count. A guest's triple fault
# (QEMU's nested SVM deals one out now and then, to mainline's kernel
# too) costs that guest's round, and the rig runs the guests after it;
# another rig run follows for the rounds still missing, at most ATTEMPTS
# runs (env, default 3). Figures, not a test:
# exits non-zero only if a kernel ended up with no complete round. The
# table is also saved as bench.txt in the last run's logs, and every
# sample as bench-rounds.txt.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 2 ] || die "usage: bench.sh XPV_BZIMAGE REFERENCE_BZIMAGE"
xpv=$1 ref=$2 rounds=${ROUNDS:-2} attempts=${ATTEMPTS:-3}
for k in "$xpv" "$ref"; do
	[ -f "$k" ] || die "kernel '$k' does not exist" "make build build-ref"
done
[[ $rounds =~ ^[1-9]$ ]] || die "ROUNDS=$rounds: give 1 to 9"
[[ $attempts =~ ^[1-9]$ ]] || die "ATTEMPTS=$attempts: give 1 to 9"

# "  blk-bench| XPV-BENCH: blk seq-read-1m 812.3 MiB/s" -> "xpv blk/seq-read-1m 812.3 MiB/s"
# (the console line, not its copy in the kernel log, "[  12.3] ..."), for
# each guest of run $1 whose benchmarks all passed.
figures() {
	local run=$1 f g kernel prefix
	local logs=("$run"/guest-console-*.log)
	# A run of one guest (a retry for one missing round) names neither its
	# console log nor its summary line after the guest.
	[ -e "${logs[0]}" ] || logs=("$run/guest-console.log")
	for f in "${logs[@]}"; do
		[ -e "$f" ] || continue
		g=$(basename "$f" .log)
		g=${g#guest-console-} prefix=$g-
		if [ "$g" = guest-console ]; then
			g=$(sed -n 's/^name: //p' "$run/summary.txt") prefix=""
		fi
		grep -qx "${prefix}guest-summary: [1-9][0-9]* passed, 0 failed, 0 skipped" "$run/summary.txt" ||
			continue
		kernel=${g%-*}
		sed -n 's/^  [a-z0-9-]*| XPV-BENCH: \([a-z]*\) \([A-Za-z0-9_.-]*\) \([0-9.]*\) \([A-Za-z/]*\)$/\1\/\2 \3 \4/p' "$f" |
			sed "s|^|$kernel |; s|\$| $(basename "$run")/$g|"
	done
}

all=$(mktemp)
trap 'rm -f "$all"' EXIT
done_ref=0 done_xpv=0 next=1 attempt=0 run="" failed_runs=()
while [ $done_ref -lt "$rounds" ] || [ $done_xpv -lt "$rounds" ]; do
	[ $attempt -lt "$attempts" ] || break
	attempt=$((attempt + 1))
	# The rounds still missing, taking turns, the one further behind first.
	args=() r=$next
	need_ref=$((rounds - done_ref)) need_xpv=$((rounds - done_xpv))
	while [ $need_ref -gt 0 ] || [ $need_xpv -gt 0 ]; do
		if [ $need_ref -ge $need_xpv ] && [ $need_ref -gt 0 ]; then
			args+=(--next "reference-$r" "$ref"); need_ref=$((need_ref - 1))
		fi
		if [ $need_xpv -gt 0 ]; then
			args+=(--next "xpv-$r" "$xpv"); need_xpv=$((need_xpv - 1))
		fi
		r=$((r + 1))
	done
	next=$r
	guests=$(( ${#args[@]} / 3 )) first=${args[1]}
	args=(--name "$first" --kernel "${args[2]}" "${args[@]:3}")
	log "benchmark run $attempt of at most $attempts: $guests guests, $first first, reference and xpv taking turns (several minutes)"
	rc=0
	XPV_SELFTESTS_DIR=$XPV_TOP/bench "$XPV_TOP/scripts/rig/boot.sh" "${args[@]}" \
		--timeout $((600 * rounds)) || rc=$?
	run=$(readlink -f "$XPV_CACHE/runs/$first-latest")
	figures "$run" >>"$all"
	# Complete rounds: the guests that gave figures, per kernel.
	done_ref=$(awk '$1 == "reference" {print $5}' "$all" | sort -u | wc -l)
	done_xpv=$(awk '$1 == "xpv" {print $5}' "$all" | sort -u | wc -l)
	if [ $rc -ne 0 ]; then
		failed_runs+=("$run ($(sed -n 's/^reason: //p' "$run/summary.txt" | head -1))")
		warn "benchmark run $attempt failed; complete rounds so far: reference $done_ref, xpv $done_xpv" "see $run/"
	fi
done

"$XPV_TOP/scripts/bench-table.sh" "$all" | tee "$run/bench.txt"
cp "$all" "$run/bench-rounds.txt"
for f in "${failed_runs[@]}"; do
	echo "cut short: $f" | tee -a "$run/bench.txt"
done
log "figures saved in $run/bench.txt"
[ "$done_ref" -gt 0 ] && [ "$done_xpv" -gt 0 ] ||
	die "a kernel has no complete round of figures after $attempt runs" "see the runs above"
[ "$done_ref" -ge "$rounds" ] && [ "$done_xpv" -ge "$rounds" ] ||
	warn "fewer rounds than asked for (reference $done_ref, xpv $done_xpv of $rounds)"
