#!/usr/bin/env bash
# Build a guest kernel out of tree with ccache.
#   build-kernel.sh SRC OBJ MODE [make args...]
# Prints the path of the bzImage on success. The full log is OBJ/build.log.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -ge 3 ] || die "usage: build-kernel.sh SRC OBJ MODE [make args...]"
src=$1 obj=$2 mode=$3; shift 3
need make gcc ccache bison flex bc
"$XPV_TOP/scripts/make-config.sh" "$src" "$obj" "$mode"

# Same relative layout for every tree (CACHE/<area>/tree + CACHE/<area>/build-*),
# so ccache hits across the working tree and the per-patch check tree.
export CCACHE_DIR=${CCACHE_DIR:-$XPV_CACHE/ccache}
export CCACHE_BASEDIR=$XPV_CACHE
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-8G}
export CCACHE_NOHASHDIR=1
export KBUILD_BUILD_TIMESTAMP="Tue Nov 24 00:00:00 UTC 2026"
export KBUILD_BUILD_USER=xpv KBUILD_BUILD_HOST=xpv

if ! make -C "$src" O="$obj" ARCH=x86_64 CC="ccache gcc" -j"$XPV_JOBS" \
	"$@" bzImage >"$obj/build.log" 2>&1; then
	grep -m5 -E 'error:|Error [0-9]|undefined reference' "$obj/build.log" >&2 || tail -n 20 "$obj/build.log" >&2
	die "kernel build ($mode) failed in $obj" "see $obj/build.log"
fi
echo "$obj/arch/x86/boot/bzImage"
