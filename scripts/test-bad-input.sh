#!/usr/bin/env bash
# Test: bad input gets one clear message and a non-zero exit, and leaves
# nothing half-done that looks finished.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0
expect_fail() { # NAME PATTERN CMD...
	local name=$1 pat=$2; shift 2
	if "$@" >"$tmp/out" 2>&1; then
		echo "bad-input: $name: exited 0" >&2; fails=$((fails + 1)); return
	fi
	if ! grep -qE "$pat" "$tmp/out"; then
		echo "bad-input: $name: message does not match /$pat/:" >&2
		sed 's/^/    /' "$tmp/out" >&2; fails=$((fails + 1)); return
	fi
	echo "bad-input: $name: refused: $(grep -m1 -E "$pat" "$tmp/out")"
}

# KDIR that is not a kernel tree.
mkdir -p "$tmp/notakernel"
expect_fail "KDIR not a kernel tree" "is not a Linux kernel source tree" \
	env KDIR="$tmp/notakernel" "$XPV_TOP/scripts/fetch-base.sh"

# A copy of the repository with a broken series, in a tree of its own.
repo=$tmp/repo
mkdir -p "$repo"
cp -a "$XPV_TOP/scripts" "$XPV_TOP/BASE" "$XPV_TOP/Kconfig.fragment" "$XPV_TOP/Documentation" "$repo/"
mkdir -p "$repo/patches"
cp "$XPV_TOP/patches/"*.patch "$repo/patches/"
tree=$XPV_CACHE/test/bad-input-tree

# A series naming a patch that does not exist.
{ cat "$XPV_TOP/series"; echo "9999-missing.patch"; } >"$repo/series"
expect_fail "missing patch" "series lists 9999-missing.patch, but" \
	env FORCE=1 "$repo/scripts/import-tree.sh" "$tree"

# A patch that does not apply: its context no longer matches the base.
cp "$XPV_TOP/series" "$repo/series"
first=$(grep -v '^#' "$XPV_TOP/series" | head -n1)
sed -i '0,/^ source "arch\/x86\/xen\/Kconfig"/s//  source "arch\/x86\/xen\/Kconfig.changed"/' "$repo/patches/$first"
expect_fail "patch does not apply" "patch 1 .* does not apply" \
	env FORCE=1 "$repo/scripts/import-tree.sh" "$tree"
# ...and the tree was left at the bare base, not half-patched and "synced".
if [ "$(git -C "$tree" rev-parse HEAD)" != "$(git -C "$tree" rev-parse xpv-base)" ] ||
   [ -f "$tree/.git/xpv-series-hash" ]; then
	echo "bad-input: failed import left a half-patched tree" >&2; fails=$((fails + 1))
else
	echo "bad-input: failed import left the bare base, not marked as the series"
fi

# Unexported work in a tree is never thrown away without FORCE=1.
cp "$XPV_TOP/series" "$repo/series"; cp "$XPV_TOP/patches/$first" "$repo/patches/$first"
FORCE=1 "$repo/scripts/import-tree.sh" "$tree" >/dev/null 2>&1
echo "local work" >>"$tree/README"
expect_fail "uncommitted work kept" "has uncommitted changes" "$repo/scripts/import-tree.sh" "$tree"
git -C "$tree" commit -qam "local work"
expect_fail "unexported commit kept" "has commits that were never exported" "$repo/scripts/import-tree.sh" "$tree"

# An import that was killed (git am stopped halfway through a patch) left
# edits behind; the next FORCE=1 import must start over, not trip on them.
echo "half-applied" >>"$tree/MAINTAINERS"	# a file the series changes
if FORCE=1 "$repo/scripts/import-tree.sh" "$tree" >"$tmp/out" 2>&1 &&
   [ -z "$(git -C "$tree" status --porcelain)" ]; then
	echo "bad-input: half-applied tree: FORCE=1 import started over"
else
	echo "bad-input: half-applied tree: FORCE=1 import failed:" >&2
	sed 's/^/    /' "$tmp/out" >&2; fails=$((fails + 1))
fi

# The rig's arguments are checked before QEMU starts: a request dom0
# cannot send, or a disk backend it does not have, is refused, on a file
# that only looks like a bzImage.
head -c 1024 /dev/zero >"$tmp/bzImage"
printf HdrS | dd of="$tmp/bzImage" bs=1 seek=514 conv=notrunc status=none
expect_fail "rig: unknown --end" "end 'suspend': give shutdown or reboot" \
	"$XPV_TOP/scripts/rig/boot.sh" --kernel "$tmp/bzImage" --name bad-input --end suspend
expect_fail "rig: unknown --disk-backend" "disk-backend 'tap': give blkback or qdisk" \
	"$XPV_TOP/scripts/rig/boot.sh" --kernel "$tmp/bzImage" --name bad-input --disk-backend tap

# A kernel config that cannot be satisfied.
echo "CONFIG_XPV_NO_SUCH_OPTION=y" >>"$repo/Kconfig.fragment"
expect_fail "unsatisfiable config" "did not stick" \
	"$repo/scripts/make-config.sh" "$tree" "$tmp/obj" xpv

[ $fails -eq 0 ] || die "$fails bad-input case(s) misbehaved"
echo "bad-input: all cases refused clearly"
