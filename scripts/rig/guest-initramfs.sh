#!/usr/bin/env bash
# Build the boot rig's guest initramfs:
#   guest-initramfs.sh OUT.cpio.gz
# Holds busybox (static), every selftests/NAME.c built as a static program
# (NAME-peer.c excepted: those run in dom0), an /init that runs them and
# reports with XPV-GUEST/XPV-SELFTEST lines, and the /sbin/poweroff that
# the kernel runs when the toolstack asks it to power off.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rig-lib.sh"

[ $# -eq 1 ] || die "usage: guest-initramfs.sh OUT.cpio.gz"
out=$1
rig_deps
need gcc cpio gzip
# busybox-static (deps.txt) owns /bin/busybox; the dynamic one conflicts.
busybox=/bin/busybox
dpkg-query -S "$busybox" 2>/dev/null | grep -q '^busybox-static:' ||
	die "$busybox is not from busybox-static" "apt-get install busybox-static"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
mkdir -p "$stage"/{bin,dev,proc,sys,tmp,selftests}
cp "$busybox" "$stage/bin/busybox"

[ -d "$SELFTESTS_DIR" ] || die "selftests directory $SELFTESTS_DIR does not exist" \
	"unset XPV_SELFTESTS_DIR or point it at a directory of NAME.c tests"
n=0
for src in "$SELFTESTS_DIR"/*.c; do
	[ -e "$src" ] || continue
	t=$(basename "$src" .c)
	# NAME-peer.c runs in dom0 (scripts/rig/dom0-peers.sh), not here.
	[[ $t != *-peer ]] || continue
	rig_build_static "$src" "$stage/selftests/$t"
	n=$((n + 1))
done
[ $n -gt 0 ] || warn "no selftests in $SELFTESTS_DIR"

# /init runs under busybox sh. Every report line goes to stdout AND to
# /dev/kmsg: a kernel with only an early (hypervisor) console still shows
# printk output, while a console device may not exist yet.
cat >"$stage/init" <<'EOF'
#!/bin/busybox sh
/bin/busybox --install -s /bin
export PATH=/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev 2>/dev/null
mount -t tmpfs tmpfs /tmp
# Without a console device at boot the kernel gave us no stdio; take the
# console now if there is one (a failed "exec >" would end this shell).
if (: >/dev/console) 2>/dev/null; then
	exec </dev/console >/dev/console 2>&1
fi

say() {
	echo "$*"
	echo "$*" >/dev/kmsg 2>/dev/null
}
diag() {
	while IFS= read -r l; do say "XPV-DIAG: $1| $l"; done <"$2"
}

say "XPV-GUEST: init reached"
diag cmdline /proc/cmdline
diag partitions /proc/partitions
diag interrupts /proc/interrupts

timeout=300
for a in $(cat /proc/cmdline); do
	case $a in xpv.selftest_timeout=*) timeout=${a#*=} ;; esac
done

pass=0 fail=0 skip=0
cd /tmp
for t in /selftests/*; do
	[ -x "$t" ] || continue
	name=${t##*/}
	say "XPV-GUEST: running $name"
	timeout "$timeout" "$t" >/tmp/out 2>&1
	rc=$?
	while IFS= read -r l; do say "  $name| $l"; done </tmp/out
	case $rc in
	0) r=PASS; pass=$((pass + 1)) ;;
	77) r=SKIP; skip=$((skip + 1)) ;;
	*) r=FAIL; fail=$((fail + 1)); say "  $name| exit code $rc" ;;
	esac
	say "XPV-SELFTEST: $name: $r"
done
say "XPV-GUEST: summary $pass passed, $fail failed, $skip skipped"
# The console's input path, end to end: dom0 attaches `xl console` and types
# a command into this shell; only the shell can print the answer.
if [ -c /dev/hvc0 ]; then
	say "XPV-GUEST: shell on hvc0"
	timeout 30 sh -i </dev/hvc0 >/dev/hvc0 2>&1
	say "XPV-GUEST: console shell ended ($?)"
fi
diag interrupts /proc/interrupts
# dom0 now asks the kernel to power off or reboot, through xenstore ("xl
# shutdown", "xl reboot"). The kernel runs /sbin/poweroff or /sbin/reboot,
# which signal this shell (USR2, USR1).
trap 'say "XPV-GUEST: powering off, as the toolstack asked"; sync; poweroff -f' USR2
trap 'say "XPV-GUEST: rebooting, as the toolstack asked"; sync; reboot -f' USR1
say "XPV-GUEST: waiting for the toolstack to shut this guest down"
# In the background, so that the signal is taken at once.
sleep 30 &
wait $!
say "XPV-GUEST: no shutdown request came from the toolstack; powering off"
sync
poweroff -f
# poweroff came back: the shutdown path is broken. Say so, never exit.
say "XPV-GUEST: poweroff returned"
while :; do sleep 60; done
EOF
chmod 755 "$stage/init"
# What the kernel runs on the toolstack's request (orderly_poweroff() and
# orderly_reboot()), without a console: tell /init, which holds it.
mkdir -p "$stage/sbin"
for cmd in poweroff:USR2 reboot:USR1; do
	cat >"$stage/sbin/${cmd%:*}" <<EOF
#!/bin/busybox sh
echo "XPV-GUEST: /sbin/${cmd%:*} run by the kernel" >/dev/kmsg
/bin/busybox kill -${cmd#*:} 1
EOF
	chmod 755 "$stage/sbin/${cmd%:*}"
done
# The kernel opens /dev/console before /init runs; devtmpfs is not there yet.
[ "$(id -u)" != 0 ] || mknod -m 600 "$stage/dev/console" c 5 1

# Same inputs, same archive.
find "$stage" -exec touch -h -d @0 {} +
mkdir -p "$(dirname "$out")"
(cd "$stage" && find . -mindepth 1 | LC_ALL=C sort |
	cpio --quiet -o -H newc -R 0:0 --reproducible) | gzip -9n >"$out.tmp"
mv "$out.tmp" "$out"
log "guest initramfs $out ($n selftests)"
