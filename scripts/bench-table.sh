#!/usr/bin/env bash
# Turn benchmark samples into the table bench.sh prints.
#   bench-table.sh ROUNDS_FILE...
# e.g. the bench-rounds.txt of one make bench, or of several to pool them.
# A ROUNDS_FILE has one sample a line: "KERNEL FIGURE VALUE UNIT GUEST", e.g.
# "xpv net/rx-1 312.4 Mbit/s reference-1-20261201-033753/xpv-1"; KERNEL is
# xpv or reference. For each figure: both kernels' means and the ratio of
# the means (xpv / reference), the medians and their ratio, each kernel's
# range, the samples and the guests behind them, and a 95% confidence
# interval for the ratio.
#
# The interval takes each guest as one measurement (its samples' mean):
# samples from one boot move together, and a boot can be slow or fast as a
# whole, so the guests are what is independent. It is Welch's t interval
# for the difference of the two kernels' mean log values, turned back into
# a ratio (of geometric means, so it can sit a little off the ratio of the
# means). It needs two guests of each kernel; with few guests it is wide,
# which is the point: an interval that holds 1.00x says this run cannot
# tell the two kernels apart on that figure.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 1 ] || die "usage: bench-table.sh ROUNDS_FILE..."
for f in "$@"; do
	[ -r "$f" ] || die "cannot read '$f'"
done

awk '
	NF != 5 || $3 !~ /^[0-9.]+$/ {
		printf "bench-table.sh: %s: line %d is not \"KERNEL FIGURE VALUE UNIT GUEST\": %s\n", FILENAME, FNR, $0 > "/dev/stderr"
		bad = 1; exit 1
	}
	{
		k = $1; f = $2 " (" $4 ")"; v = $3 + 0; g = $5
		figs[f] = 1; n[k, f]++; sum[k, f] += v; val[k, f, n[k, f]] = v
		if (!((k, f) in lo) || v < lo[k, f]) lo[k, f] = v
		if (!((k, f) in hi) || v > hi[k, f]) hi[k, f] = v
		if (!((k, f, g) in gn)) { ng[k, f]++; guest[k, f, ng[k, f]] = g }
		gn[k, f, g]++; gsum[k, f, g] += v
	}
	function mean(k, f) { return n[k, f] ? sprintf("%.1f", sum[k, f] / n[k, f]) : "-" }
	function spread(k, f) { return n[k, f] ? sprintf("%.0f-%.0f", lo[k, f], hi[k, f]) : "-" }
	function median(k, f,   c, a, b, t, v) {
		c = n[k, f]
		if (!c) return "-"
		for (a = 1; a <= c; a++) v[a] = val[k, f, a]
		for (a = 1; a <= c; a++)
			for (b = a + 1; b <= c; b++)
				if (v[b] < v[a]) { t = v[a]; v[a] = v[b]; v[b] = t }
		return sprintf("%.1f", c % 2 ? v[(c + 1) / 2] : (v[c / 2] + v[c / 2 + 1]) / 2)
	}
	function ratio(x, r) { return (x != "-" && r != "-" && r > 0) ? sprintf("%.2fx", x / r) : "-" }
	# The two-sided 95% quantile of Student t, rounding df down (wider).
	function t975(df,   i) {
		if (df >= 120) return 1.980
		if (df >= 60) return 2.000
		if (df >= 30) return 2.042
		i = int(df)
		return i < 1 ? tq[1] : tq[i]
	}
	# Mean and variance of the logs of kernel k'"'"'s guest means.
	function logstats(k, f,   i, g, y, s, ss) {
		s = 0; ss = 0
		for (i = 1; i <= ng[k, f]; i++) {
			g = guest[k, f, i]
			y[i] = log(gsum[k, f, g] / gn[k, f, g]); s += y[i]
		}
		lm[k] = s / ng[k, f]
		for (i = 1; i <= ng[k, f]; i++) ss += (y[i] - lm[k]) ^ 2
		lv[k] = ss / (ng[k, f] - 1)
	}
	function interval(f,   nx, nr, vx, vr, se, df, d, h) {
		nx = ng["xpv", f]; nr = ng["reference", f]
		if (nx < 2 || nr < 2 || lo["xpv", f] <= 0 || lo["reference", f] <= 0)
			return "-"
		logstats("xpv", f); logstats("reference", f)
		vx = lv["xpv"] / nx; vr = lv["reference"] / nr
		d = lm["xpv"] - lm["reference"]; se = sqrt(vx + vr)
		if (se == 0) return sprintf("%.2f-%.2fx", exp(d), exp(d))
		df = (vx + vr) ^ 2 / (vx ^ 2 / (nx - 1) + vr ^ 2 / (nr - 1))
		h = t975(df) * se
		return sprintf("%.2f-%.2fx", exp(d - h), exp(d + h))
	}
	END {
		if (bad) exit 1
		split("12.706 4.303 3.182 2.776 2.571 2.447 2.365 2.306 2.262 2.228 " \
		      "2.201 2.179 2.160 2.145 2.131 2.120 2.110 2.101 2.093 2.086 " \
		      "2.080 2.074 2.069 2.064 2.060 2.056 2.052 2.048 2.045 2.042", tq, " ")
		printf "%-28s %8s %8s %6s  %8s %8s %6s  %-11s %-11s %-7s %-6s %s\n", "figure", "xpv", "ref", "ratio", "xpv", "ref", "ratio", "xpv range", "ref range", "samples", "guests", "ratio"
		printf "%-28s %8s %8s %6s  %8s %8s %6s  %-11s %-11s %-7s %-6s %s\n", "", "mean", "mean", "", "median", "median", "", "", "", "", "", "95% CI"
		m = 0
		for (f in figs) list[++m] = f
		for (i = 1; i <= m; i++)	# sort the few names by hand: portable awk
			for (j = i + 1; j <= m; j++)
				if (list[j] < list[i]) { t = list[i]; list[i] = list[j]; list[j] = t }
		for (i = 1; i <= m; i++) {
			f = list[i]
			x = mean("xpv", f); r = mean("reference", f)
			xm = median("xpv", f); rm = median("reference", f)
			printf "%-28s %8s %8s %6s  %8s %8s %6s  %-11s %-11s %-7s %-6s %s\n", f, x, r, ratio(x, r), xm, rm, ratio(xm, rm), spread("xpv", f), spread("reference", f), n["xpv", f] + 0 "/" n["reference", f] + 0, ng["xpv", f] + 0 "/" ng["reference", f] + 0, interval(f)
		}
	}' "$@"
