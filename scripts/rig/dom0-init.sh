#!/bin/bash
# PID 1 of the boot rig's dom0 (installed as /usr/sbin/xpv-rig-init, booted with
# init=). No init system: it brings the Xen toolstack up by hand, boots the
# guest described on the payload drive (/dev/vdb), relays the guest's console
# to dom0's console (so everything lands in QEMU's serial file) and powers
# the machine off. The host (scripts/rig/boot.sh) acts on the lines that
# start with "XPV-RIG: "; guest console lines start with "XPV-GC: ".
#
# PID 1 must never exit (the kernel would panic), so there is no set -e:
# every step is checked and any failure ends in rig_die -> power off.
set -u
shopt -s nullglob

# Call Xen's tools directly: the /usr/sbin wrappers guess the version.
XENBIN=$(printf "%s\n" /usr/lib/xen-[0-9]*/bin | sort -V | tail -n 1)
export PATH=$XENBIN:/usr/sbin:/usr/bin:/sbin:/bin
PAYLOAD=/payload
WORK=/xpv
CONSOLE_DIR=/var/log/xen/console
# The xl disk spec of the running guest's xvda, for selftests/hotplug-peer.c.
DISK_SPEC=/run/xpv-rig-disk

exec </dev/null >/dev/console 2>&1

# As PID 1, only start the rig and reap orphans. Every orphan's end is a
# SIGCHLD to PID 1, and a PID 1 running the rig's loop under that rain
# once left one of its forked subshells deadlocked on a futex for good.
if [ $$ = 1 ]; then
	"$0" "$@"
	# The rig powers off by itself; it only comes back here if it died.
	echo "XPV-RIG: dom0-error: the rig's init script exited ($?)"
	echo o >/proc/sysrq-trigger
	while :; do sleep 60; done
fi

say() { printf 'XPV-RIG: %s\n' "$*"; }
# Waits are bash's own timed reads on a FIFO that nobody writes, not
# sleep(1), and times are bash's $EPOCHSECONDS, not date(1). dom0 froze
# now and then with fresh coreutils processes (sleep, timeout) spinning in
# user code, in glibc's pthread_rwlock_wrlock, on both vCPUs: the rig
# loop's and the watchdog's, so nothing reported it. The cause is not
# known (PV dom0 under QEMU's TCG); the loop started several such
# processes every 2 s, and a builtin starts none.
NAP_FIFO=/run/xpv-rig-nap
rm -f "$NAP_FIFO" && mkfifo "$NAP_FIFO" && exec 7<>"$NAP_FIFO"
nap() { read -r -t "$1" -u 7 _; return 0; }
uptime_s() { cut -d' ' -f1 /proc/uptime; }

# Keep what the host may want after the run on the payload drive (it reads
# it back with debugfs), then power off: sysrq works without any init system,
# and Xen then ends, which makes QEMU (-no-reboot) exit.
power_off() {
	stop_peers
	if mountpoint -q "$PAYLOAD"; then
		mkdir -p "$PAYLOAD/out"
		xl dmesg >"$PAYLOAD/out/xl-dmesg.txt" 2>&1
		dmesg >"$PAYLOAD/out/dom0-dmesg.txt" 2>&1
		cp /var/log/xen/*.log "$CONSOLE_DIR"/*.log "$PAYLOAD/out/" 2>/dev/null
		umount "$PAYLOAD"
	fi
	sync
	say "dom0-poweroff uptime=$(uptime_s)s"
	echo o >/proc/sysrq-trigger
	while :; do nap 60; done
}

# The selftests' dom0 sides (servers a guest test talks to), each in the
# background with its output on the console; stopped before power-off so
# the payload drive they run from can be unmounted.
start_peers() {
	local p name
	for p in "$PAYLOAD"/peers/*; do
		[ -x "$p" ] || continue
		name=${p##*/}
		# A peer that dies (seen once: a segfault in dom0 under TCG) is
		# started again, so one crash fails one connection, not the rest.
		(
			echo "$BASHPID" >"/run/xpv-peer-$name.pid"
			while :; do
				"$p" </dev/null
				echo "exited with status $?; starting it again"
				nap 1
			done
		) 2>&1 | sed -u "s/^/XPV-PEER: $name| /" &
		say "peer $name started"
	done
}

stop_peers() {
	local p name
	for p in "$PAYLOAD"/peers/*; do
		name=${p##*/}
		# The loop first, or it would start the peer again.
		[ -f "/run/xpv-peer-$name.pid" ] && kill "$(cat "/run/xpv-peer-$name.pid")" 2>/dev/null
		pkill -x -f "$p" 2>/dev/null && nap 0.5
		rm -f "/run/xpv-peer-$name.pid"
	done
}

rig_die() {
	say "dom0-error: $*"
	power_off
}

# Run a command; on failure show its output and die naming the step.
step() {
	local what=$1 out
	shift
	if ! out=$("$@" 2>&1); then
		printf '%s\n' "$out" | sed 's/^/XPV-RIG:   | /'
		rig_die "$what failed: $*"
	fi
}

mounts() {
	mountpoint -q /proc || mount -t proc proc /proc
	mountpoint -q /sys || mount -t sysfs sysfs /sys
	# The Debian initramfs moves its devtmpfs over; mount one if it did not.
	mountpoint -q /dev || mount -t devtmpfs devtmpfs /dev
	mkdir -p /dev/pts /dev/shm
	mount -t devpts devpts /dev/pts
	mount -t tmpfs -o mode=755 tmpfs /run
	mount -t tmpfs tmpfs /tmp
	mkdir -p /run/lock
	echo 1 >/proc/sys/kernel/sysrq
	hostname dom0
}

xen_toolstack() {
	local m
	step "modprobe xenfs" modprobe xenfs
	mountpoint -q /proc/xen || step "mount xenfs" mount -t xenfs xenfs /proc/xen
	grep -q control_d /proc/xen/capabilities || rig_die "not running as Xen's control domain"
	for m in xen-evtchn xen-gntdev xen-gntalloc xen-privcmd xen-blkback xen-netback loop bridge; do
		step "modprobe $m" modprobe "$m"
	done
	mkdir -p /run/xen /run/xenstored /var/lib/xenstored /var/lib/xen /var/log/xen "$CONSOLE_DIR"
	step "xenstored" xenstored --pid-file=/run/xenstored.pid
	for _ in $(seq 300); do
		[ -S /run/xenstored/socket ] && break
		nap 0.1
	done
	[ -S /run/xenstored/socket ] || rig_die "xenstored did not create its socket"
	step "xen-init-dom0" xen-init-dom0
	step "xenconsoled" xenconsoled --log=guest --log-dir="$CONSOLE_DIR" --pid-file=/run/xenconsoled.pid
}

# Guest <-> dom0 traffic stays on this bridge; QEMU has no NIC (-nic none).
bridge() {
	step "lo up" ip link set lo up
	step "add xenbr0" ip link add name xenbr0 type bridge stp_state 0 forward_delay 0
	step "xenbr0 up" ip link set xenbr0 up
	step "xenbr0 IPv4" ip addr add 169.254.0.1/16 dev xenbr0
	step "xenbr0 IPv6" ip -6 addr add fe80::1/64 dev xenbr0 nodad
}

# Has the guest printed this? Its console log (hvc0) or, for a kernel whose
# only console is the early one, the hypervisor's ring (port 0xe9 output).
# Only while hvc0 has said nothing: xl dmesg copies Xen's whole 1 MiB
# console ring under Xen's console lock, and doing that every 2 s for a
# whole run once stalled a dom0 vCPU for minutes under TCG.
guest_said() {
	local log=$CONSOLE_DIR/guest-$DOM.log
	grep -qF -- "$1" "$log" 2>/dev/null && return 0
	[ ! -s "$log" ] || return 1
	xlt dmesg 2>/dev/null | grep -F -- "$1" | grep -q "^(d$domid)"
}

# xl talks to xenstored and to the backends; if either wedges, xl blocks
# for ever. Bound every call from the wait loop and show who is stuck.
# The bound is kept by this shell, not timeout(1): see nap.
xlt() {
	local pid i
	xl "$@" &
	pid=$!
	for ((i = 0; i < 300; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		nap 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		say "dom0-stuck: xl $* took over 30 s"
		show_processes
		kill -9 "$pid" 2>/dev/null
		wait "$pid"
		return 124
	fi
	wait "$pid"
}

# The wait loop writes the time to $HEARTBEAT on each round; if it stops for 45 s,
# this background watchdog shows what every process is waiting on (once
# per stall), so a wedged dom0 names the culprit instead of going quiet.
HEARTBEAT=/run/xpv-rig-heartbeat
# Every user process's state, CPU and wait channel, and the kernel stacks
# of those running, in D, or children of the rig's script.
# shellcheck disable=SC2009 # all processes, with wchan and args
show_processes() {
	local pid
	ps -eo pid,ppid,stat,psr,wchan:28,etimes,args --sort=pid 2>/dev/null |
		grep -v -E ' \[[^]]*\]$' | cut -c1-160 | sed 's/^/XPV-RIG:   ps | /'
	for pid in $(ps -eo pid,stat --no-headers | awk '$2 ~ /[DR]/ { print $1 }') $(pgrep -P $$); do
		sed "s/^/XPV-RIG:   stack $pid | /" "/proc/$pid/stack" 2>/dev/null | head -n 12
	done
}

watchdog() {
	local age beat reported=0 pid
	while nap 10; do
		[ -e "$HEARTBEAT" ] || continue
		read -r beat <"$HEARTBEAT" 2>/dev/null || continue
		age=$((EPOCHSECONDS - ${beat:-$EPOCHSECONDS}))
		if [ "$age" -lt 45 ]; then
			reported=0
			continue
		fi
		[ $reported = 1 ] && continue
		reported=1
		say "dom0-watchdog: the rig loop has not moved for ${age}s; processes:"
		show_processes
		# Under QEMU's TCG, fresh processes of the loop now and then never
		# finish: a subshell or a grep asleep on a futex that nothing can
		# wake (they have one thread), a grep or a tail -n 1 spinning in
		# user code on a small log. Ending them lets the loop go on: a
		# grep cut short answers "not found", a $(...) gives nothing, and
		# the loop asks again. Long-lived helpers (relays, peers, daemons)
		# are never asleep on a futex; tail -F and sed -u are spared.
		for pid in $(ps -eo pid,nlwp,stat,etimes,wchan:32,comm,args --no-headers |
			awk '$2 == 1 && $1 != 1 && ($5 ~ /^futex/ ||
				($3 ~ /^R/ && $4 > 30 && $6 ~ /^(grep|tail|head|cut|awk|cat|seq)$/ && !/ -F /)) { print $1 }'); do
			say "dom0-watchdog: ending $(cat "/proc/$pid/comm" 2>/dev/null) $pid, stuck"
			kill -9 "$pid"
		done
	done
}

# Is the guest still there? One failed "xl domid" is not enough to say it
# is gone: once it failed while the domain ran on, and dom0 moved on
# without it.
dom_exists() {
	local i
	for i in 1 2 3; do
		xlt domid "$DOM" >/dev/null 2>&1 && return 0
		[ $i = 3 ] || nap 1
	done
	return 1
}

# Has Xen shut the domain down (or is it dying)? xl list's state column.
dom_shut_down() {
	xlt list "$DOM" 2>/dev/null | awk 'NR == 2 { exit !($5 ~ /[sd]/) }'
}


# Type a command into the guest's shell through `xl console`, as a person
# would, and look for the answer in what xl console printed back. The typed
# line holds no "42", so only the guest's shell can produce the answer.
# Its own session: no terminal may become PID 1's controlling terminal.
console_check() {
	local fifo=/tmp/console-in out=/tmp/console-out pid
	rm -f "$fifo" "$out"
	mkfifo "$fifo" || { say "console-check failed: mkfifo"; return; }
	say "console-check: attaching xl console"
	# xl console only reads what is typed when its stdin is a terminal:
	# script(1) gives it one and copies the FIFO into it.
	setsid timeout -k 5 40 script -q -f -e -c "xl console -t pv $DOM" /dev/null \
		<"$fifo" >"$out" 2>&1 &
	pid=$!
	# Read-write: opening a FIFO so never blocks, whatever the reader does.
	exec 8<>"$fifo"
	nap 2 # let xl console attach before typing
	# shellcheck disable=SC2016 # $((...)) is for the guest's shell
	printf 'echo XPV-CONSOLE: answer $((6 * 7))\n' >&8
	for _ in $(seq 100); do
		grep -q "XPV-CONSOLE: answer 42" "$out" && break
		nap 0.2
	done
	if grep -q "XPV-CONSOLE: answer 42" "$out"; then
		say "console-check answer seen through xl console"
	else
		say "console-check no answer through xl console; it printed:"
		tail -n 5 "$out" | sed 's/^/XPV-RIG:   | /'
	fi
	printf 'exit\n' >&8 2>/dev/null
	nap 1
	printf '\035' >&8 2>/dev/null # xl console's escape character: detach
	exec 8>&-
	wait "$pid"
}

# Ask the guest to go as an administrator would: a sysrq key (help, which
# only prints), then "xl shutdown". The guest must answer both through its
# control/ nodes in xenstore; "guest-gone reason=poweroff" and the guest's
# own lines then show that it did.
# END (guest.cfg): shutdown or reboot, the request that ends the guest.
toolstack_requests() {
	say "toolstack: xl sysrq $DOM h"
	xlt sysrq "$DOM" h 2>&1 | sed 's/^/XPV-RIG:   | /'
	nap 2 # let the help text reach the console before the shutdown
	say "toolstack: xl $END $DOM"
	if xlt "$END" "$DOM" >/tmp/shutdown.log 2>&1; then
		say "toolstack: xl $END sent"
	else
		say "toolstack: xl $END failed:"
	fi
	sed 's/^/XPV-RIG:   | /' /tmp/shutdown.log
}

# QEMU's Xen disk backend (qdisk; Debian's qemu-system-xen, the binary
# libxl runs as the device model). xl create starts one for each guest
# with qdisk disks; dom0 needs no QEMU of its own for that.
QEMU_XEN=/usr/libexec/xen-qemu-system-i386

shutdown_reason() {
	local code=""
	# xl's per-domain daemon logs why the domain went; give it a moment.
	for _ in $(seq 50); do
		code=$(sed -n 's/.*shut down, reason code \([0-9]*\).*/\1/p' \
			"/var/log/xen/xl-$DOM.log" 2>/dev/null | tail -n 1)
		[ -n "$code" ] && break
		nap 0.1
	done
	case $code in
	0) echo poweroff ;; 1) echo reboot ;; 2) echo suspend ;;
	3) echo crash ;; 4) echo watchdog ;; 5) echo soft_reset ;;
	*) echo "unknown${code:+-$code}" ;;
	esac
}

# Boot the guest whose bzImage is in DIR: the payload's root for the first
# one, next/N/ for each further one (its guest.cfg overrides the first's).
run_guest() {
	local dir=$1
	# Defaults; the host's guest.cfg (bash syntax, written by boot.sh) overrides.
	local NAME=guest MEMORY=512 VCPUS=2 EXTRA="console=hvc0" DISK_MB=64 END=shutdown
	local DISK_BACKEND=blkback disk
	local GUEST_TIMEOUT=600 INIT_TIMEOUT=240 POWEROFF_TIMEOUT=120
	local t0 now el stage="" init_seen=0 sum_t=0 reason halt_t=0 typed=0 asked=0
	[ -f "$PAYLOAD/guest.cfg" ] || rig_die "no guest.cfg on the payload drive"
	# shellcheck source=/dev/null
	. "$PAYLOAD/guest.cfg"
	# shellcheck source=/dev/null
	[ "$dir" = "$PAYLOAD" ] || . "$dir/guest.cfg"
	DOM=xpv-$NAME

	# The guest's disk lives in dom0 RAM: fast, and nothing to clean up.
	# Each guest gets a new, empty one.
	mountpoint -q "$WORK" || step "tmpfs for the guest disk" \
		mount -t tmpfs -o size=$((DISK_MB + 16))m tmpfs "$WORK"
	rm -f "$WORK/xvda.img"
	step "guest disk" truncate -s "${DISK_MB}M" "$WORK/xvda.img"
	# DISK_BACKEND (guest.cfg): who serves xvda in dom0, the kernel's
	# blkback (phy: through a loop device) or QEMU's qdisk. The spec is
	# left in $DISK_SPEC for hotplug-peer, whose xl block-attach must give
	# the disk back with the backend the guest was created with.
	case $DISK_BACKEND in
	blkback) disk="format=raw,vdev=xvda,access=rw,backendtype=phy,target=$WORK/xvda.img" ;;
	qdisk)
		[ -x "$QEMU_XEN" ] ||
			rig_die "the guest asks for qdisk but $QEMU_XEN is missing (qemu-system-xen not in the dom0 image)"
		disk="format=raw,vdev=xvda,access=rw,backendtype=qdisk,target=$WORK/xvda.img" ;;
	*) rig_die "guest.cfg: DISK_BACKEND '$DISK_BACKEND' is neither blkback nor qdisk" ;;
	esac
	echo "$disk" >"$DISK_SPEC" || rig_die "could not write $DISK_SPEC"
	# tsc_mode: QEMU's TCG CPU has no invariant TSC, so by default Xen
	# traps and emulates every RDTSC of the guest; in nested SVM under TCG
	# that now and then ended in a triple fault (seen with mainline's
	# kernel and ours, RIP just past an rdtsc). Native: no trap, faster.
	cat >"$WORK/guest.xl" <<-EOF
		name = "$DOM"
		type = "pvh"
		kernel = "$dir/bzImage"
		ramdisk = "$PAYLOAD/initramfs.cpio.gz"
		extra = "$EXTRA"
		memory = $MEMORY
		vcpus = $VCPUS
		disk = [ '$disk' ]
		vif = [ 'bridge=xenbr0' ]
		tsc_mode = "native"
		on_poweroff = "destroy"
		on_reboot = "destroy"
		on_crash = "destroy"
	EOF
	sed 's/^/XPV-RIG:   cfg | /' "$WORK/guest.xl"

	# Not "xl create -c": without a tty that leaves the domain paused.
	if ! xl create "$WORK/guest.xl" >"$WORK/create.log" 2>&1; then
		sed 's/^/XPV-RIG:   | /' "$WORK/create.log"
		# With qdisk, xl create waits for the guest's QEMU: its own log.
		[ "$DISK_BACKEND" != qdisk ] ||
			tail -n 20 "/var/log/xen/qemu-dm-$DOM.log" 2>&1 | sed 's/^/XPV-RIG:   qemu-dm | /'
		xl dmesg | tail -n 5 | sed "s/^/XPV-XLDMESG: /"
		say "guest-create-failed"
		power_off
	fi
	domid=$(xl domid "$DOM" 2>/dev/null) || domid="?"
	t0=$EPOCHSECONDS
	say "guest-created domid=$domid name=$NAME uptime=$(uptime_s)s"
	# Which QEMU serves the disk: the guest's own, xl create started it.
	[ "$DISK_BACKEND" != qdisk ] ||
		pgrep -a -f "^$QEMU_XEN " | cut -c1-200 | sed 's/^/XPV-RIG:   qdisk | /'

	# Relay hvc0 (xenconsoled's log of it) to the serial file, line by line.
	tail -n +1 -F -s 0.2 "$CONSOLE_DIR/guest-$DOM.log" 2>/dev/null |
		sed -u -e 's/\r$//' -e 's/^/XPV-GC: /' &

	# Wait for the domain to go, with our own deadlines so a hang is caught
	# here, where xl can still say something about the guest.
	while dom_exists; do
		echo "$EPOCHSECONDS" >"$HEARTBEAT"
		now=$EPOCHSECONDS
		el=$((now - t0))
		[ $init_seen = 1 ] || ! guest_said "XPV-GUEST: init reached" || init_seen=1
		[ "$sum_t" != 0 ] || ! guest_said "XPV-GUEST: summary" || sum_t=$now
		if [ $typed = 0 ] && guest_said "XPV-GUEST: shell on hvc0"; then
			typed=1
			console_check
		fi
		if [ $asked = 0 ] && guest_said "XPV-GUEST: waiting for the toolstack"; then
			asked=1
			toolstack_requests
		fi
		# A kernel without a power-off handler halts instead; Xen ends
		# such a domain only if every vCPU halts with interrupts off,
		# which does not always happen. Give it 10 s, then end it.
		[ "$halt_t" != 0 ] || ! guest_said "Power off not available" || halt_t=$now
		# Once Xen has shut the domain down (state s), xl's own daemon is
		# destroying it: a second destroy racing it is not needed.
		[ "$halt_t" = 0 ] || [ $((now - halt_t)) -lt 10 ] || dom_shut_down || break
		if [ $el -ge "$GUEST_TIMEOUT" ]; then
			stage=$([ $init_seen = 1 ] && echo selftests || echo guest-init)
		elif [ $init_seen = 0 ] && [ $el -ge "$INIT_TIMEOUT" ]; then
			stage=guest-init
		elif [ "$sum_t" != 0 ] && [ $((now - sum_t)) -ge "$POWEROFF_TIMEOUT" ]; then
			stage=guest-poweroff
		fi
		[ -z "$stage" ] || break
		nap 2
	done
	if [ -z "$stage" ] && [ "$halt_t" != 0 ] && dom_exists; then
		say "guest halted 10 s ago and is still there: destroying it"
		xlt list 2>&1 | sed 's/^/XPV-RIG:   | /'
		xlt destroy "$DOM" 2>&1 | sed 's/^/XPV-RIG:   destroy | /'
		reason=halted
	elif [ -n "$stage" ]; then
		say "guest-timeout stage=$stage after ${el}s"
		xlt list 2>&1 | sed 's/^/XPV-RIG:   | /'
		xlt vcpu-list "$DOM" 2>&1 | sed 's/^/XPV-RIG:   | /'
		# Dumps the domain's vCPU state on the hypervisor console.
		xlt debug-keys q >/dev/null 2>&1
		xlt destroy "$DOM" >/dev/null 2>&1
		reason=timeout
	else
		reason=$(shutdown_reason)
	fi
	rm -f "$HEARTBEAT" # nothing left to watch until the next guest
	nap 1 # let the console relay catch up
	say "guest-gone reason=$reason after $((EPOCHSECONDS - t0))s"
	# What the hypervisor said about this guest (crash reasons and the like).
	# (Not the routine "HVM dNvM save: ..." lines of the domain's teardown.)
	xl dmesg 2>/dev/null | grep -E "^\(XEN\).*([^0-9a-z]d${domid}([v: ]|$)|[Dd]omain ${domid}[^0-9])" |
		grep -v -E "HVM d${domid}(v[0-9]+)? save:|upcall vector" |
		tail -n 30 | sed 's/^/XPV-XLDMESG: /'
}

main() {
	mounts
	xen_toolstack
	bridge
	say "dom0-up uptime=$(uptime_s)s $(xl info 2>/dev/null | sed -n 's/^xen_version *: */xen=/p;s/^virt_caps *: *\(.*\)/virt_caps=\1/p' | tr -s ' \n' '_ ')"
	# From here on only dom0 kernel errors go to the console, so guest
	# console lines are not cut up by backend chatter (all of dom0's
	# messages are saved on the payload drive at the end).
	dmesg -n 4
	# Xen turns \n into \r\n on the serial line already.
	stty -F /dev/console -onlcr 2>/dev/null
	mkdir -p "$PAYLOAD" "$WORK"
	step "mount payload drive" mount /dev/vdb "$PAYLOAD"
	watchdog &
	start_peers
	run_guest "$PAYLOAD"
	# In the order given: next/10 sorts before next/2.
	local n=0
	while [ -d "$PAYLOAD/next/$n" ]; do
		run_guest "$PAYLOAD/next/$n"
		n=$((n + 1))
	done
	power_off
}

main
power_off
