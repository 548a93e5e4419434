# shellcheck shell=bash
# Common helpers for the xpv scripts: paths, logging, failing loudly.
# Sourced, never run.

XPV_TOP=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
XPV_CACHE=${XPV_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xpv}
XPV_JOBS=${XPV_JOBS:-$(nproc)}
export XPV_TOP XPV_CACHE XPV_JOBS
mkdir -p "$XPV_CACHE"

# Fixed identity and dates: the same series always yields the same commits,
# so export after import is byte-identical.
export GIT_AUTHOR_NAME=${GIT_AUTHOR_NAME:-xpv}
export GIT_AUTHOR_EMAIL=${GIT_AUTHOR_EMAIL:-xpv@localhost}
export GIT_COMMITTER_NAME="xpv import"
export GIT_COMMITTER_EMAIL="xpv@localhost"
XPV_BASE_DATE="2026-11-24T00:00:00+0000"

xpv_t0=$(date +%s)

log() { printf '[xpv %4ss] %s\n' "$(($(date +%s) - xpv_t0))" "$*" >&2; }
warn() { printf 'xpv: WARNING: %s\n' "$*" >&2; }
die() {
	printf 'xpv: error: %s\n' "$1" >&2
	[ $# -gt 1 ] && printf 'xpv:   what to do: %s\n' "$2" >&2
	exit 1
}

need() {
	local t
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 ||
			die "required tool '$t' is not installed" \
			    "run 'make deps' (installs the Debian packages listed in scripts/deps.txt)"
	done
}

# A kernel source tree: the base as fetched, or KDIR when the user gives one.
is_kernel_tree() {
	[ -f "$1/Makefile" ] && [ -f "$1/Kconfig" ] && [ -d "$1/arch/x86" ] &&
		grep -q '^VERSION = ' "$1/Makefile"
}

kernel_version_of() {
	awk '/^VERSION =/{v=$3} /^PATCHLEVEL =/{p=$3} /^SUBLEVEL =/{s=$3}
	     END{printf "%s.%s.%s\n", v, p, s}' "$1/Makefile"
}

# Run a command with its output in a log file; on failure show the tail.
run_logged() {
	local logf=$1; shift
	if ! "$@" >"$logf" 2>&1; then
		tail -n 30 "$logf" >&2
		return 1
	fi
}

# Seen now and then, with mainline's kernel too: Xen reports a triple
# fault of the guest under QEMU's nested SVM emulation (TCG). Most carry
# Xen's own code segment (cs e008) as the vCPU's, i.e. the fault came up
# inside Xen's guest entry. The rest hit where a guest is about to take an
# interrupt: in the idle loop's hlt, on the instruction after an emulated
# APIC EOI, on the IRQ stack; the reference kernel had one of those too
# (run xpv-bench-20261124-235932, its second guest), in a run whose dom0
# also had a process die of "malloc(): unsorted double linked list
# corrupted". Such a run is booted again; a guest that triple-faults on
# every attempt still fails the test.
# Also seen, with either kernel, processes of the PV dom0 under TCG going
# wrong: fresh ones spinning in user code (in glibc's
# pthread_rwlock_wrlock), so that dom0 goes silent until the host's stage
# limit; dom0's rig script dying of a signal; xenstored gone, which leaves
# every xl call blocked. All that is the rig, not the guest: such a run is
# booted again by the tests, said out loud, up to 3 attempts in all.
rig_fault() { # RC RUN [NAME] -> prints why the run failed through no fault of the guest
	local rc=$1 run=$2 name=${3:-} rip
	[ "$rc" -ne 0 ] || return 1
	if grep -aq "Triple fault - invoking" "$run/serial.log"; then
		rip=$(grep -aA6 "Triple fault - invoking" "$run/serial.log" |
		      sed -n 's/.*RIP: *\([0-9a-f]*:\[<[0-9a-f]*>\]\).*/\1/p' | head -n1)
		echo "Xen reported a triple fault of the ${name:+$name }guest (vCPU RIP ${rip:-unknown}), seen with both kernels under QEMU's nested SVM"
	elif grep -q "^reason: no progress" "$run/summary.txt" 2>/dev/null &&
	     ! grep -aq "XPV-RIG: guest-timeout\|XPV-RIG: dom0-watchdog" "$run/serial.log"; then
		echo "dom0 went silent (the rig, not the guest)"
	elif grep -q "^reason: no progress" "$run/summary.txt" 2>/dev/null &&
	     grep -aqE "XPV-RIG:   ps \| +[0-9]+ +[0-9]+ R[^ ]* +[0-9]+ +- +([3-9][0-9]|[0-9]{3,}) " "$run/serial.log"; then
		echo "a dom0 process spun for half a minute or more (the rig, not the guest)"
	elif grep -qE "^reason: dom0: the rig's init script exited \(1[2-9][0-9]\)" "$run/summary.txt" 2>/dev/null; then
		echo "dom0's rig script died of a signal (the rig, not the guest)"
	elif grep -aq "XPV-RIG: dom0-watchdog" "$run/serial.log" &&
	     ! grep -aq "XPV-RIG:   ps | .* xenstored " "$run/serial.log"; then
		echo "xenstored was gone from dom0 (the rig, not the guest)"
	else
		return 1
	fi
}

# boot_retrying NAME RUN CMD...: run CMD (a rig boot of guest NAME, whose
# logs are in RUN) until it passes or fails through no fault of the rig,
# at most 6 times (under QEMU's nested SVM a guest triple-faults in one
# boot in four, and mainline's kernel on some days in more than one in
# two: 4 tries would then all fault about once in ten), saying why before
# each retry. Returns CMD's last status.
boot_retrying() {
	local name=$1 run=$2 attempt=1 why rc
	shift 2
	while :; do
		rc=0
		"$@" || rc=$?
		why=$(rig_fault "$rc" "$run" "$name") || return "$rc"
		[ $attempt -lt 6 ] || return "$rc"
		warn "$why: booting it once more" "attempt $attempt: $(readlink -f "$run")"
		attempt=$((attempt + 1))
	done
}
