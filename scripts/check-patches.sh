#!/usr/bin/env bash
# The per-patch check: for each patch of the series, in order, a row of
#   apply  build(XPV on)  build(XPV off)  W=1  checkpatch  sparse  coccicheck
# Each cell is ok or FAIL; the first failure of a patch is named below the
# table. Exits non-zero if any cell failed.
#   check-patches.sh [FIRST [LAST]]     (1-based patch numbers, default all)
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need git make gcc ccache sparse spatch perl

area=$XPV_CACHE/check
tree=$area/tree
logs=$area/logs
rm -rf "$logs"
mkdir -p "$logs"

mapfile -t patches < <(grep -v '^[[:space:]]*#' "$XPV_TOP/series" | awk 'NF{print $1}')
[ ${#patches[@]} -gt 0 ] || die "series lists no patches" "nothing to check"
first=${1:-1} last=${2:-${#patches[@]}}

# A tree of its own at the bare base; the work tree is never touched.
log "check: preparing $tree"
FORCE=1 "$XPV_TOP/scripts/import-tree.sh" --base-only "$tree" >/dev/null
export PATH=/usr/bin:$PATH	# checkpatch's spdxcheck wants Debian's python3-ply

# Warnings of one kind (W=1 or sparse) for a list of files, one per line,
# with line numbers dropped so that moved code does not count as new.
file_warnings() { # OBJ FLAGS FILE...
	local obj=$1 flags=$2; shift 2
	local f o
	for f in "$@"; do
		case $f in *.c) ;; *) continue ;; esac
		[ -f "$tree/$f" ] || continue
		o=${f%.c}.o
		# shellcheck disable=SC2086
		make -C "$tree" O="$obj" ARCH=x86_64 CC="ccache gcc" $flags "$o" 2>&1 |
			grep -E '(warning|error):' | grep -F "$f" |
			sed -E 's/:[0-9]+:[0-9]+:/:/; s/:[0-9]+:/:/' || true
	done | sort
}

# The "before" side of the first patch is the bare base.
log "check: building the bare base (incremental after the first run)"
XPV_CONFIG_LENIENT=1 "$XPV_TOP/scripts/build-kernel.sh" "$tree" "$area/build-xpv" xpv >/dev/null 2>"$logs/base.log" ||
	die "the bare base does not build" "see $area/build-xpv/build.log"

failed=0
rows=()
printf '%-3s %-58s %-5s %-5s %-5s %-5s %-5s %-6s %-5s %s\n' "#" "patch" apply on off W=1 chkp sparse cocci secs
for i in $(seq 1 "${#patches[@]}"); do
	p=${patches[$((i - 1))]}
	pf=$XPV_TOP/patches/$p
	[ -f "$pf" ] || die "series lists $p, but patches/$p does not exist"
	if [ "$i" -lt "$first" ] || [ "$i" -gt "$last" ]; then
		git -C "$tree" am -q --committer-date-is-author-date "$pf" ||
			die "patch $i ($p) does not apply"
		continue
	fi
	l=$logs/$(printf '%04d' "$i")
	t_patch=$(date +%s)
	declare -A cell=([apply]=- [on]=- [off]=- [w1]=- [chkp]=- [sparse]=- [cocci]=-)
	why=""
	fail() { [ -n "$why" ] || why="$1: $2"; cell[$1]=FAIL; failed=1; }

	mapfile -t files < <(sed -n 's|^+++ b/||p' "$pf" | sort -u)
	mapfile -t cfiles < <(printf '%s\n' "${files[@]}" | grep '\.c$' || true)

	# Warnings before the patch, for "no new warnings" in W=1 and sparse.
	if [ ${#cfiles[@]} -gt 0 ] && [ -f "$area/build-xpv/.config" ]; then
		file_warnings "$area/build-xpv" "W=1" "${cfiles[@]}" >"$l.w1.before"
		file_warnings "$area/build-xpv" "C=2 CHECK=sparse" "${cfiles[@]}" >"$l.sparse.before"
	else
		: >"$l.w1.before"; : >"$l.sparse.before"
	fi

	# apply: git apply refuses fuzz; then git am records the commit.
	if git -C "$tree" apply --check "$pf" >"$l.apply" 2>&1 &&
	   git -C "$tree" am -q --committer-date-is-author-date "$pf" >>"$l.apply" 2>&1; then
		cell[apply]=ok
	else
		fail apply "$(head -n1 "$l.apply")"
		git -C "$tree" am --abort >/dev/null 2>&1 || true
		rows+=("$(printf '%-3s %-58.58s %-5s' "$i" "$p" FAIL)")
		printf '%s\n' "${rows[-1]}"
		echo "  patch $i ($p): $why"
		break	# later patches build on this one
	fi

	if XPV_CONFIG_LENIENT=1 "$XPV_TOP/scripts/build-kernel.sh" "$tree" "$area/build-xpv" xpv >/dev/null 2>"$l.on"; then
		cell[on]=ok
	else
		fail on "$(grep -m1 -E 'error' "$l.on" || tail -n1 "$l.on")"
	fi
	if "$XPV_TOP/scripts/build-kernel.sh" "$tree" "$area/build-off" xpv-off >/dev/null 2>"$l.off"; then
		cell[off]=ok
	else
		fail off "$(grep -m1 -E 'error' "$l.off" || tail -n1 "$l.off")"
	fi

	if [ "${cell[on]}" = ok ] && [ ${#cfiles[@]} -gt 0 ]; then
		file_warnings "$area/build-xpv" "W=1" "${cfiles[@]}" >"$l.w1.after"
		if comm -13 "$l.w1.before" "$l.w1.after" | grep -q .; then
			fail w1 "$(comm -13 "$l.w1.before" "$l.w1.after" | head -n1)"
		else
			cell[w1]=ok
		fi
		file_warnings "$area/build-xpv" "C=2 CHECK=sparse" "${cfiles[@]}" >"$l.sparse.after"
		if comm -13 "$l.sparse.before" "$l.sparse.after" | grep -q .; then
			fail sparse "$(comm -13 "$l.sparse.before" "$l.sparse.after" | head -n1)"
		else
			cell[sparse]=ok
		fi
	elif [ "${cell[on]}" = ok ]; then
		cell[w1]=ok cell[sparse]=ok
	fi

	# checkpatch: FILE_PATH_CHANGES fires for every new file even when
	# MAINTAINERS covers it; coverage is checked below instead.
	(cd "$tree" && ./scripts/checkpatch.pl --strict --no-summary --ignore FILE_PATH_CHANGES "$pf") >"$l.chkp" 2>&1 || true
	if grep -qE '^(ERROR|WARNING|CHECK):' "$l.chkp"; then
		fail chkp "$(grep -m1 -E '^(ERROR|WARNING|CHECK):' "$l.chkp")"
	else
		cell[chkp]=ok
	fi
	for f in $(awk '/^diff --git /{f=$4; sub(/^b\//, "", f)} /^new file mode/{print f}' "$pf"); do
		(cd "$tree" && ./scripts/get_maintainer.pl --nogit --nogit-fallback --norolestats -f "$f" 2>/dev/null) |
			grep -q 'xpv@localhost' ||
			fail chkp "new file $f is not covered by the XPV entry in MAINTAINERS"
	done

	# coccicheck on each C file this patch touches: make C=2 with
	# CHECK=scripts/coccicheck runs every semantic patch on that one file
	# (Documentation/dev-tools/coccinelle.rst). M=drivers/net, the whole
	# directory, took far too long for one patch. No "make -s": it
	# silences the reports.
	if [ ${#cfiles[@]} -gt 0 ]; then
		: >"$l.cocci"
		for f in "${cfiles[@]}"; do
			[ -f "$tree/$f" ] || continue
			make -C "$tree" O="$area/build-xpv" ARCH=x86_64 CC="ccache gcc" C=2 \
				CHECK="$tree/scripts/coccicheck" MODE=report "${f%.c}.o" >>"$l.cocci" 2>&1 || true
		done
		# Reports name files as path:line:col; keep those of the touched files.
		if grep -F -f <(printf '%s:\n' "${cfiles[@]}") "$l.cocci" | grep -q .; then
			fail cocci "$(grep -m1 -F -f <(printf '%s:\n' "${cfiles[@]}") "$l.cocci")"
		else
			cell[cocci]=ok
		fi
	else
		cell[cocci]=ok
	fi

	rows+=("$(printf '%-3s %-58.58s %-5s %-5s %-5s %-5s %-5s %-6s %-5s %s' "$i" "$p" \
		"${cell[apply]}" "${cell[on]}" "${cell[off]}" "${cell[w1]}" "${cell[chkp]}" "${cell[sparse]}" "${cell[cocci]}" \
		"$(($(date +%s) - t_patch))")")
	printf '%s\n' "${rows[-1]}"
	[ -z "$why" ] || echo "  patch $i ($p): $why   (logs: $l.*)"
done

if [ $failed -ne 0 ]; then
	echo "per-patch check: FAILED"
	exit 1
fi
echo "per-patch check: all green"
