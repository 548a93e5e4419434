#!/usr/bin/env bash
# Build (once) the boot rig's Xen + Debian dom0 and print its directory:
#   dom0-image.sh [--force]
# The directory holds xen (Xen, gunzipped from the host's package: QEMU's
# -kernel loads it as a multiboot ELF), vmlinuz and initrd.img (dom0's
# kernel), dom0.img (ext4 root with the rig's init at /usr/sbin/xpv-rig-init).
# Cached as $XPV_CACHE/rig/dom0-<key>: the key hashes these scripts and the
# package versions, so any change to either builds a new one.
# dpkg-query formats are ${Field} in single quotes on purpose.
# shellcheck disable=SC2016
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rig-lib.sh"

force=0
case ${1:-} in
--force) force=1 ;;
"") ;;
*) die "usage: dom0-image.sh [--force]" ;;
esac

XENVER=4.17
XEN_GZ=/boot/xen-$XENVER-amd64.gz
SUITE=bookworm
MIRROR=${XPV_DEBIAN_MIRROR:-http://deb.debian.org/debian}
SECURITY=${XPV_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}
# udev and the Xen hotplug scripts want iproute2 (bridge), kmod, procps;
# the block script needs losetup (util-linux, in minbase). qemu-system-xen:
# QEMU's Xen disk backend (qdisk), for boot.sh --disk-backend qdisk; as for
# every package here, debootstrap takes its Depends but not its Recommends
# (qemu-utils, ovmf), so the image stays as small as it can.
PKGS=xen-utils-$XENVER,linux-image-amd64,udev,iproute2,kmod,procps,qemu-system-xen

[ "$(id -u)" = 0 ] || die "dom0-image.sh must run as root (debootstrap, chroot)"
rig_deps
need debootstrap mke2fs debugfs chroot flock gunzip

# Debootstrap alone gives the bookworm point release, whose Xen tools can be
# older than the host's hypervisor (from bookworm-security): upgrade from
# the same suites as the host so tools and hypervisor match.
build_rootfs() {
	# Runs under run_logged's "||", where set -e is off: check each step.
	local dir=$1 want k
	debootstrap --variant=minbase --include="$PKGS" "$SUITE" "$dir" "$MIRROR" || return 1
	cat >"$dir/etc/apt/sources.list" <<-EOF
		deb $MIRROR $SUITE main
		deb $MIRROR $SUITE-updates main
		deb $SECURITY $SUITE-security main
	EOF
	# No daemon may start inside the chroot.
	printf '#!/bin/sh\nexit 101\n' >"$dir/usr/sbin/policy-rc.d" || return 1
	chmod 755 "$dir/usr/sbin/policy-rc.d"
	mount -t proc proc "$dir/proc" || return 1
	mount --bind /dev "$dir/dev" || return 1
	chroot "$dir" apt-get update || return 1
	DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get -y \
		-o Dpkg::Options::=--force-confold dist-upgrade || return 1
	# Keep only the kernel the metapackage points at: one vmlinuz, one initrd.
	want=$(chroot "$dir" dpkg-query -W -f='${Depends}' linux-image-amd64 | sed 's/ .*//')
	[ -n "$want" ] || return 1
	for k in $(chroot "$dir" dpkg-query -W -f='${db:Status-Abbrev} ${Package}\n' 'linux-image-[0-9]*' |
		sed -n 's/^ii  *//p'); do
		[ "$k" = "$want" ] && continue
		DEBIAN_FRONTEND=noninteractive chroot "$dir" apt-get -y purge "$k" || return 1
	done
	chroot "$dir" apt-get clean
	umount "$dir/dev" "$dir/proc" || return 1
	rm -rf "$dir"/var/lib/apt/lists/* "$dir/usr/sbin/policy-rc.d"
	echo dom0 >"$dir/etc/hostname"
}

# Versions that decide what debootstrap and the upgrade fetch. The candidate
# versions come from the host's apt lists, so a newer archive is seen once
# the host's lists are updated.
pkg_versions() {
	local p
	dpkg-query -W debootstrap "xen-hypervisor-$XENVER-amd64"
	for p in "xen-utils-$XENVER" linux-image-amd64 qemu-system-xen; do
		printf '%s\t%s\n' "$p" "$(apt-cache policy "$p" 2>/dev/null | sed -n 's/^ *Candidate: //p')"
	done
}

rootfs_key=$( { declare -f build_rootfs; echo "$PKGS $SUITE $MIRROR $SECURITY"; pkg_versions; } |
	sha256sum | cut -c1-16)
key=$( { echo "$rootfs_key"; cat "$0" "$RIG_DIR/dom0-init.sh"; sha256sum "$XEN_GZ"; } |
	sha256sum | cut -c1-16)
out=$RIG_CACHE/dom0-$key
rootfs=$RIG_CACHE/rootfs-$rootfs_key

mkdir -p "$RIG_CACHE"
# One builder at a time; a second caller waits and then finds it done.
exec {lockfd}>"$RIG_CACHE/.lock"
flock -w 3600 "$lockfd" || die "timed out waiting for $RIG_CACHE/.lock"

# Each dom0 is ~1 GB: drop the ones not used for a while (the stamp is
# touched on every use, and a QEMU may still run on one from minutes ago).
prune() {
	local d
	for d in "$RIG_CACHE"/dom0-* "$RIG_CACHE"/rootfs-*; do
		case $d in "$out" | "$rootfs" | *.tmp | *.log) continue ;; esac
		[ -z "$(find "$d/done" -mmin -360 2>/dev/null)" ] || continue
		rm -rf "$d" "$d".*log
	done
}

if [ $force = 0 ] && [ -f "$out/done" ]; then
	touch "$out/done" "$rootfs/done" 2>/dev/null || true
	prune
	echo "$out"
	exit 0
fi

tmp_root=""
cleanup() {
	# Never leave the chroot's mounts behind, whatever failed.
	if [ -n "$tmp_root" ]; then
		umount "$tmp_root/dev" 2>/dev/null || true
		umount "$tmp_root/proc" 2>/dev/null || true
		rm -rf "$tmp_root"
	fi
	rm -rf "$out.tmp"
}
trap cleanup EXIT

if [ $force = 1 ] || [ ! -f "$rootfs/done" ]; then
	rm -rf "$rootfs"
	tmp_root=$rootfs.tmp
	rm -rf "$tmp_root"
	mkdir -p "$tmp_root"
	log "debootstrap $SUITE dom0 root (a few minutes; log: $rootfs.log)"
	run_logged "$rootfs.log" build_rootfs "$tmp_root" ||
		die "building the dom0 root failed" "see $rootfs.log"
	mkdir -p "$rootfs"
	mv "$tmp_root" "$rootfs/root"
	tmp_root=""
	pkg_versions >"$rootfs/versions.txt"
	touch "$rootfs/done"
fi

root=$rootfs/root
rm -rf "$out.tmp"
mkdir -p "$out.tmp"

# Tools and hypervisor must come from the same Xen release or xl refuses.
host_xen=$(dpkg-query -W -f='${Version}' "xen-hypervisor-$XENVER-amd64")
dom0_xen=$(chroot "$root" dpkg-query -W -f='${Version}' "xen-utils-$XENVER")
[ "$host_xen" = "$dom0_xen" ] ||
	warn "host Xen $host_xen but dom0 tools $dom0_xen (update the host's Xen or the apt lists)"

log "dom0 image $out"
gunzip -c "$XEN_GZ" >"$out.tmp/xen"
vmlinuz=$(find "$root/boot" -name 'vmlinuz-*' | sort -V | tail -n 1)
initrd=$(find "$root/boot" -name 'initrd.img-*' | sort -V | tail -n 1)
{ [ -n "$vmlinuz" ] && [ -n "$initrd" ]; } || die "no dom0 kernel or initrd in $root/boot"
cp "$vmlinuz" "$out.tmp/vmlinuz"
cp "$initrd" "$out.tmp/initrd.img"

# Room for logs and xenstored's files beyond the root's own size; QEMU runs
# the image with snapshot=on so the cached file never changes.
size_mb=$(($(du -sm "$root" | cut -f1) + 256))
run_logged "$out.mke2fs.log" \
	mke2fs -q -t ext4 -L xpv-dom0 -d "$root" -F "$out.tmp/dom0.img" "${size_mb}M" ||
	die "mke2fs of the dom0 image failed"
# The init goes in with debugfs so the cached root stays as debootstrap left
# it (into /usr/sbin: /sbin is a symlink there, which debugfs does not follow).
run_logged "$out.debugfs.log" debugfs -w -f - "$out.tmp/dom0.img" <<-EOF ||
	write $RIG_DIR/dom0-init.sh /usr/sbin/xpv-rig-init
	sif /usr/sbin/xpv-rig-init mode 0100755
	sif /usr/sbin/xpv-rig-init uid 0
	sif /usr/sbin/xpv-rig-init gid 0
EOF
	die "could not install the dom0 init into the image"
debugfs -R 'stat /usr/sbin/xpv-rig-init' "$out.tmp/dom0.img" 2>/dev/null | grep -q 'Mode:  *0755' ||
	die "the dom0 init is missing from the image" "see $out.debugfs.log"

{
	echo "key $key"
	echo "rootfs $rootfs"
	echo "kernel $(basename "$vmlinuz")"
	echo "host-xen $host_xen"
	echo "dom0-xen-utils $dom0_xen"
	cat "$rootfs/versions.txt"
} >"$out.tmp/info.txt"
touch "$out.tmp/done" "$rootfs/done"
rm -rf "$out"
mv "$out.tmp" "$out"
prune
echo "$out"
