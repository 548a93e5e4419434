#!/usr/bin/env bash
# Test: `quilt push -a` applies the series to a plain extracted base without
# fuzz, and gives the same files as the git import.
set -euo pipefail
. "$(dirname "$0")/lib.sh"
need quilt

base=$("$XPV_TOP/scripts/fetch-base.sh" 2>/dev/null)
qt=$XPV_CACHE/test/quilt-tree
rm -rf "$qt"
mkdir -p "$(dirname "$qt")"
cp -al "$base" "$qt"	# patch(1) replaces files, so hard links are safe
if ! (cd "$qt" && QUILT_PATCHES="$XPV_TOP/patches" QUILT_SERIES="$XPV_TOP/series" \
	quilt push -a -q --fuzz=0) >"$qt.log" 2>&1; then
	tail -n 20 "$qt.log" >&2
	die "quilt push -a failed on the plain base (log above)" "fix the patch it names"
fi
if grep -qiE 'fuzz|offset' "$qt.log"; then
	grep -iE 'fuzz|offset' "$qt.log" >&2
	die "quilt applied with offsets or fuzz" "refresh the series against the base"
fi

# Same result as git am? Compare every file the series touches.
tree=$XPV_CACHE/test/roundtrip-tree
[ -d "$tree/.git" ] || FORCE=1 "$XPV_TOP/scripts/import-tree.sh" "$tree" >/dev/null
mapfile -t files < <(git -C "$tree" diff --name-only xpv-base HEAD)
for f in "${files[@]}"; do
	cmp -s "$qt/$f" "$tree/$f" || die "quilt and git am disagree on $f" "see $qt and $tree"
done
echo "quilt: push -a applied $(grep -vc '^#' "$XPV_TOP/series") patches without fuzz; ${#files[@]} files match git am"
rm -rf "$qt"
