#!/usr/bin/env bash
# Test: bench-table.sh's figures for samples whose means, medians and
# confidence interval were worked out independently (Python's statistics
# module; Welch's df here is 3.68, so t = 3.182), and its refusal of a
# malformed line.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# Guest means: xpv 100, 120, 110; reference 100, 90, 95, 106. The second
# figure has one reference guest: no interval.
cat >"$dir/rounds" <<'END'
reference net/rx-1 100 Mbit/s run/reference-1
xpv net/rx-1 90 Mbit/s run/xpv-1
xpv net/rx-1 110 Mbit/s run/xpv-1
reference net/rx-1 80 Mbit/s run/reference-2
reference net/rx-1 100 Mbit/s run/reference-2
xpv net/rx-1 120 Mbit/s run/xpv-2
reference net/rx-1 95 Mbit/s run/reference-3
xpv net/rx-1 105 Mbit/s run/xpv-3
xpv net/rx-1 115 Mbit/s run/xpv-3
reference net/rx-1 106 Mbit/s run/reference-4
reference blk/seq-read-1m 50 MiB/s run/reference-1
xpv blk/seq-read-1m 60 MiB/s run/xpv-1
xpv blk/seq-read-1m 70 MiB/s run/xpv-2
END
"$XPV_TOP/scripts/bench-table.sh" "$dir/rounds" >"$dir/table"
cat "$dir/table"
want() {
	local fig=$1 expect=$2
	local got
	got=$(awk -v f="$fig" '$1 == f { $1 = ""; $2 = ""; sub(/^ +/, ""); print }' "$dir/table")
	[ "$got" = "$expect" ] || die "bench-table: $fig: got '$got', want '$expect'"
}
#         xpv   ref  ratio  xpv   ref  ratio  ranges           samples guests CI
want net/rx-1 "108.0 96.2 1.12x 110.0 100.0 1.10x 90-120 80-106 5/5 3/4 0.92-1.37x"
want blk/seq-read-1m "65.0 50.0 1.30x 65.0 50.0 1.30x 60-70 50-50 2/1 2/1 -"

echo "reference net/rx-1 fast Mbit/s run/reference-1" >"$dir/bad"
if "$XPV_TOP/scripts/bench-table.sh" "$dir/bad" >/dev/null 2>"$dir/err"; then
	die "bench-table: accepted a sample that is not a number"
fi
grep -q 'line 1 is not' "$dir/err" || die "bench-table: no clear message for a bad line" "$(cat "$dir/err")"
echo "bench-table: means, medians, ranges, counts and the Welch interval as expected; a bad line refused"
