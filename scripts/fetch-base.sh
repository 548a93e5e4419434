#!/usr/bin/env bash
# Obtain the base tree: Debian's linux-source-6.12 binary package, extracted
# into the cache. Prints the path of the extracted tree. With KDIR set, checks
# that it is a kernel tree and prints it instead.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

if [ -n "${KDIR:-}" ]; then
	is_kernel_tree "$KDIR" ||
		die "KDIR=$KDIR is not a Linux kernel source tree (no top-level Makefile with VERSION, Kconfig, arch/x86)" \
		    "point KDIR at a mainline checkout, or unset it to use the Debian base"
	log "base: KDIR=$KDIR (Linux $(kernel_version_of "$KDIR"))"
	cd "$KDIR" && pwd
	exit 0
fi

need apt-get dpkg-deb tar xz
pkg=$(sed -n 's/^package=//p' "$XPV_TOP/BASE")
verified=$(sed -n 's/^version=//p' "$XPV_TOP/BASE")
dl=$XPV_CACHE/dl
mkdir -p "$dl"

# Which version does apt serve now? Prefer the verified one if still served.
served=$(apt-cache madison "$pkg" 2>/dev/null | awk '{print $3}') || true
if [ -z "$served" ]; then
	log "base: apt does not know $pkg yet, running apt-get update"
	apt-get update -qq >/dev/null 2>&1 || true
	served=$(apt-cache madison "$pkg" 2>/dev/null | awk '{print $3}') || true
fi
want=$verified
if ! grep -qxF -- "$verified" <<<"$served"; then
	want=$(head -n1 <<<"$served")
	[ -n "$want" ] || die "apt serves no '$pkg' package" \
		"enable bookworm-security in /etc/apt/sources.list, run apt-get update, or set KDIR=/path/to/linux"
fi

debfile=$(ls "$dl/${pkg}_${want//:/%3a}_all.deb" 2>/dev/null || true)
if [ -z "$debfile" ]; then
	log "base: downloading $pkg=$want with apt-get download"
	(cd "$dl" && apt-get download -q "$pkg=$want" >"$dl/download.log" 2>&1) ||
		{ tail -n 5 "$dl/download.log" >&2
		  die "could not download $pkg=$want" "check the apt sources and network, or set KDIR=/path/to/linux"; }
	debfile=$(ls "$dl/${pkg}_"*"_all.deb" | grep -F -- "${want#*:}" | head -n1)
fi

tree=$XPV_CACHE/base/$pkg-$want
if [ ! -f "$tree/.xpv-base-complete" ]; then
	log "base: extracting $(basename "$debfile") (about 30 s)"
	rm -rf "$tree" "$tree.tmp"
	mkdir -p "$tree.tmp/deb"
	dpkg-deb -x "$debfile" "$tree.tmp/deb"
	tarball=$(ls "$tree.tmp/deb/usr/src/"*.tar.xz)
	tar -xJf "$tarball" -C "$tree.tmp"
	mv "$tree.tmp/$(basename "$tarball" .tar.xz)" "$tree"
	rm -rf "$tree.tmp"
	is_kernel_tree "$tree" || die "the extracted $pkg is not a kernel tree" "remove $tree and retry"
	echo "$pkg $want" >"$tree/.xpv-base-version"
	touch "$tree/.xpv-base-complete"
fi
echo "$pkg $want" >"$XPV_CACHE/base-version"
if [ "$want" != "$verified" ]; then
	warn "*************************************************************"
	warn "base tree is $pkg $want, but the series was verified on $verified"
	warn "(apt no longer serves it). Expect fuzz; update BASE once checked."
	warn "*************************************************************"
fi
log "base: $pkg $want (Linux $(kernel_version_of "$tree"))"
echo "$tree"
