#!/usr/bin/env bash
# Test: build a guest kernel, boot it in the rig, and check what it printed.
#   test-boot.sh xpv|xpv-features-off|xpv-qdisk|reference
# xpv: the series' own lines must be there (detection, hypercalls, PVH
# entry, pvclock, event channels, the per-CPU timer, the console, both
# vCPUs, the answers to dom0's "xl sysrq" and "xl shutdown") and its
# platform selftest must pass, not only "it did not crash".
# xpv-features-off: the same kernel with every negotiated frontend feature
# turned off on its command line; the data selftests must pass that way too.
# dom0 ends this one with "xl reboot" instead, so that both requests the
# toolstack sends are answered in every run.
# xpv-qdisk: the xpv kernel with its defaults, its disk served by QEMU's
# qdisk backend instead of blkback: a second, independent implementation
# of the block protocol, which offers other features (see neg_line).
# reference: mainline's stack boots and passes the same selftests.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-} neg_line=""
# How dom0 ends the guest, and the words the kernel, /init and this script
# use for it: features-off is ended with "xl reboot", so that both requests
# are answered in every run.
case $mode in
xpv-features-off) end=reboot asks=reboot doing=rebooting done=rebooted ;;
*) end=shutdown asks="power off" doing="powering off" done="powered off" ;;
esac
# What serves the disk, and the xenstore directory its backend lives in.
case $mode in
xpv-qdisk) disk_backend=qdisk vbd_be=qdisk ;;
*) disk_backend=blkback vbd_be=vbd ;;
esac
# What every frontend feature's switch looks like on the command line.
features_off=(xpv_blkfront.flush=0 xpv_blkfront.max_indirect_segments=0
	xpv_blkfront.max_ring_page_order=0 xpv_blkfront.max_queues=1
	xpv_blkfront.discard=0 xpv_blkfront.resize=0 xpv_blkfront.persistent=0
	xpv_netfront.sg=0 xpv_netfront.csum=0 xpv_netfront.gso=0
	xpv_netfront.mq=0 xpv_netfront.split=0)
case $mode in
xpv | xpv-features-off | xpv-qdisk)
	# The series as committed, in a tree of its own: never the work tree,
	# which may hold unexported work.
	tree=$(FORCE=1 "$XPV_TOP/scripts/import-tree.sh" --if-needed "$XPV_CACHE/test/boot-tree")
	"$XPV_TOP/scripts/build-kernel.sh" "$tree" "$XPV_CACHE/test/build-xpv" xpv
	kernel=$XPV_CACHE/test/build-xpv/arch/x86/boot/bzImage
	extra="earlyprintk=xpv"
	# neg_line: what the block frontend says it negotiated with its backend.
	case $mode in
	xpv-features-off)
		extra+=" ${features_off[*]}"
		# With the switches off, the block frontend must say it uses nothing.
		neg_line="cache flush: none, 11 segments per request, 1 rings of 1 pages, discard: no, persistent grants: no" ;;
	xpv-qdisk)
		# QEMU 7.2's qdisk offers flush and discard but neither persistent
		# grants, indirect segments nor several rings (blkback: all three).
		neg_line="cache flush: flush, 11 segments per request, 1 rings of 4 pages, discard: yes, persistent grants: no" ;;
	esac
	expect=(
		${neg_line:+"$neg_line"}
		"Hypervisor detected: Xen \\(xpv\\)"
		"xpv: running on Xen 4\\.[0-9]+.*\\(CPUID base 0x400000[0-9a-f]+, vmm?call\\)"
		"Booting paravirtualized kernel on Xen PVH \\(xpv\\)"
		"xpv: pvclock clocksource, TSC [1-9][0-9]* kHz, steal time on"
		"xpv/events: 2-level ABI, [0-9]+ ports, upcall vector 0x[0-9a-f]+"
		"smp: Brought up 1 node, 2 CPUs"
		# Xen's x2APIC taken up (xpv says it is safe without remapping).
		"APIC: Switched APIC routing to: (physical|cluster) x2apic"
		"xpv: clockevent on VIRQ_TIMER single-shot timers"
		"clocksource: Switched to clocksource xpv-clock"
		"hvc_xpv: console on port [0-9]+"
		"XPV-GUEST: init reached"
		"XPV-SELFTEST: xpv-platform: PASS"
		"XPV-SELFTEST: wallclock: PASS"
		# The frontends: found, connected, and moving data intact.
		"xvda: [1-9][0-9]* sectors of 512 bytes"
		"eth0: device/vif/0, mac ([0-9a-f]{2}:){5}[0-9a-f]{2}"
		"XPV-SELFTEST: xvda-integrity: PASS"
		"XPV-SELFTEST: xvda-stress: PASS"
		"XPV-SELFTEST: net-ping: PASS"
		"XPV-SELFTEST: net-tcp: PASS"
		# Both devices went away and came back while the guest ran.
		"XPV-SELFTEST: hotplug: PASS"
		# Requests it must refuse in control/, logged and left unanswered.
		"XPV-SELFTEST: toolstack: PASS"
		# A command typed through `xl console` reached hvc0's shell.
		"XPV-RIG: console-check answer seen through xl console"
		"XPV-CONSOLE: answer 42"
		"xpv/grant: [0-9]+ of [0-9]+ frames, [0-9]+ refs free"
		"xpv/store: connected, domid [1-9][0-9]*, ring pfn 0x[0-9a-f]+, port [0-9]+"
		"xpv/bus: device/vbd/51712: backend /local/domain/0/backend/$vbd_be/[0-9]+/51712 \\(domain 0\\), state [A-Za-z]+"
		"xpv/bus: device/vif/0: backend /local/domain/0/backend/vif/[0-9]+/0 \\(domain 0\\), state [A-Za-z]+"
		# dom0's "xl sysrq" and "xl shutdown" (or "xl reboot") reached
		# the kernel, which took them and had /init power off (reboot).
		"xpv/control: answering requests in control/shutdown"
		"xpv/control: answering requests in control/sysrq"
		"sysrq: HELP"
		"xpv/control: the toolstack asks to $asks"
		"XPV-GUEST: $doing, as the toolstack asked"
		# KUnit, built in: each suite's top-level result (the suite's
		# name ends there; stray bytes from the console relay may follow).
		"\\] ok [0-9]+ xpv-time([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-events([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-grant([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-store([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-store-conn([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-bus([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-control([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-blkfront([^-_[:alnum:]]|$)"
		"\\] ok [0-9]+ xpv-netfront([^-_[:alnum:]]|$)"
		"\\] # Totals: pass:[1-9][0-9]* fail:0 "
	) ;;
reference)
	"$XPV_TOP/scripts/build-kernel.sh" "$("$XPV_TOP/scripts/fetch-base.sh")" \
		"$XPV_CACHE/work/build-ref" reference
	kernel=$XPV_CACHE/work/build-ref/arch/x86/boot/bzImage
	extra=""
	expect=(
		"Hypervisor detected: Xen HVM"
		"XPV-GUEST: init reached"
		"XPV-RIG: console-check answer seen through xl console"
		"XPV-SELFTEST: wallclock: PASS"
		"XPV-SELFTEST: xvda-integrity: PASS"
		"XPV-SELFTEST: xvda-stress: PASS"
		"XPV-SELFTEST: net-ping: PASS"
		"XPV-SELFTEST: net-tcp: PASS"
		"sysrq: HELP"
		"XPV-GUEST: powering off, as the toolstack asked"
	) ;;
*) die "usage: test-boot.sh xpv|xpv-features-off|xpv-qdisk|reference" ;;
esac

# A run that failed through no fault of the guest is booted again.
run=$XPV_CACHE/runs/$mode-latest
rc=0
boot_retrying "$mode" "$run" \
	"$XPV_TOP/scripts/rig/boot.sh" --kernel "$kernel" --name "$mode" --extra "$extra" --end "$end" \
	--disk-backend "$disk_backend" || rc=$?
[ $rc -eq 0 ] || die "the $mode guest did not boot cleanly (rig exit $rc)" "see $run/"

bad=0
# xenconsoled's own log of hvc0 (saved by dom0) counts as well as the live
# relay of it: the relay (tail -F | sed in dom0) once printed nothing all
# run, and once garbage. Only files that exist, so that no grep error can
# hide a match.
logs=()
for f in "$run"/*.log "$run"/dom0-out/guest-*.log; do
	[ ! -f "$f" ] || logs+=("$f")
done
# -a: a log with a stray non-text byte must still be read as text, not
# answered with "binary file matches".
# A failed KUnit case anywhere fails the test, whatever else it printed.
if grep -a -h -E -- '\] +not ok [0-9]+ ' "${logs[@]}"; then
	echo "boot-$mode: KUnit reported failures (above)" >&2; bad=1
fi
for pat in "${expect[@]}"; do
	# No "cat | grep -m1": with pipefail, cat's SIGPIPE would fail a match.
	line=$(grep -a -h -m1 -E -- "$pat" "${logs[@]}" || true)
	if [ -n "$line" ]; then
		line=${line%%$'\n'*}
		echo "boot-$mode: found: ${line#*] }"
	else
		echo "boot-$mode: MISSING: /$pat/" >&2; bad=1
	fi
done
[ $bad -eq 0 ] || die "the $mode guest's console lacks expected lines" "see $run/"
echo "boot-$mode: guest booted, ran its selftests and $done as dom0 asked"
