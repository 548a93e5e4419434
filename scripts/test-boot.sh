#!/usr/bin/env bash
# Test: build a guest kernel, boot it in the rig, and check what it printed.
#   test-boot.sh xpv|reference
# xpv: the series' own lines must be there (detection, hypercalls, PVH
# entry), not only "it did not crash". reference: mainline's stack boots.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mode=${1:-}
case $mode in
xpv)
	# The series as committed, in a tree of its own: never the work tree,
	# which may hold unexported work.
	tree=$(FORCE=1 "$XPV_TOP/scripts/import-tree.sh" --if-needed "$XPV_CACHE/test/boot-tree")
	"$XPV_TOP/scripts/build-kernel.sh" "$tree" "$XPV_CACHE/test/build-xpv" xpv
	kernel=$XPV_CACHE/test/build-xpv/arch/x86/boot/bzImage
	extra="earlyprintk=xpv"
	expect=(
		"Hypervisor detected: Xen \\(xpv\\)"
		"xpv: running on Xen 4\\.[0-9]+.*\\(CPUID base 0x400000[0-9a-f]+, vmm?call\\)"
		"XPV-GUEST: init reached"
	) ;;
reference)
	"$XPV_TOP/scripts/build-kernel.sh" "$("$XPV_TOP/scripts/fetch-base.sh")" \
		"$XPV_CACHE/work/build-ref" reference
	kernel=$XPV_CACHE/work/build-ref/arch/x86/boot/bzImage
	extra=""
	expect=(
		"Hypervisor detected: Xen HVM"
		"XPV-GUEST: init reached"
	) ;;
*) die "usage: test-boot.sh xpv|reference" ;;
esac

rc=0
"$XPV_TOP/scripts/rig/boot.sh" --kernel "$kernel" --name "$mode" --extra "$extra" || rc=$?
run=$XPV_CACHE/runs/$mode-latest
[ $rc -eq 0 ] || die "the $mode guest did not boot cleanly (rig exit $rc)" "see $run/"

bad=0
for pat in "${expect[@]}"; do
	if line=$(cat "$run"/*.log | grep -m1 -E -- "$pat"); then
		echo "boot-$mode: found: ${line#*] }"
	else
		echo "boot-$mode: MISSING: /$pat/" >&2; bad=1
	fi
done
[ $bad -eq 0 ] || die "the $mode guest's console lacks expected lines" "see $run/"
echo "boot-$mode: guest booted, ran its selftests and powered off"
