#!/usr/bin/env bash
# Build the dom0 side of the selftests:
#   dom0-peers.sh OUTDIR
# Every selftests/NAME-peer.c becomes a static program OUTDIR/NAME-peer. dom0
# starts each in the background once its bridge is up (a server for a guest
# test to talk to) and stops it before powering off; its output lands on
# the serial log as "XPV-PEER: NAME-peer| ...".
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rig-lib.sh"

[ $# -eq 1 ] || die "usage: dom0-peers.sh OUTDIR"
out=$1
need gcc
mkdir -p "$out"
for src in "$SELFTESTS_DIR"/*-peer.c; do
	[ -e "$src" ] || continue
	rig_build_static "$src" "$out/$(basename "$src" .c)"
done
