#!/usr/bin/env bash
# Test: import the series into a fresh tree, export it again, and require
# patches/ and series to come out byte-identical.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

tree=$XPV_CACHE/test/roundtrip-tree
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
FORCE=1 "$XPV_TOP/scripts/import-tree.sh" "$tree" >/dev/null
"$XPV_TOP/scripts/export-series.sh" "$tree" "$out" 2>/dev/null
if ! diff -r "$XPV_TOP/patches" "$out/patches" >"$out/diff" ||
   ! diff "$XPV_TOP/series" "$out/series" >>"$out/diff"; then
	head -n 40 "$out/diff" >&2
	die "export after import is not byte-identical (diff above)" \
	    "regenerate with 'make import export' and commit patches/ and series"
fi
echo "roundtrip: export after import is byte-identical ($(grep -vc '^#' "$XPV_TOP/series") patches)"
