#!/usr/bin/env bash
# Boot a guest kernel as a PVH domU under real Xen inside QEMU (TCG), with a
# Debian dom0 running the real backends, and report how far it got.
#   boot.sh --kernel BZIMAGE --name NAME [--timeout SECONDS] [--vcpus N]
#           [--memory MIB] [--extra "KERNEL ARGS"] [--end shutdown|reboot]
#           [--disk-backend blkback|qdisk] [--verbose]
#           [--next NAME2 BZIMAGE2 [--next-extra "KERNEL ARGS"]]...
# Exit 0 only if the guest reached init, no selftest failed (skips are fine)
# and the guest went down as dom0 asked it to, after its selftests: "xl
# shutdown" (powered off; the default) or "xl reboot" (--end reboot; the
# rig does not start it again). Logs: $XPV_CACHE/runs/NAME-<time>/.
# --disk-backend: what serves the guest's xvda in dom0, the kernel's blkback
# (default) or QEMU's qdisk, a second, independent backend implementation.
# --next boots one more guest after the first, in the same Xen and dom0
# (a side-by-side comparison in one run); every guest must pass, but one
# that triple-faults (QEMU's nested SVM deals one out now and then, to
# either kernel) fails the run without stopping the guests after it. Each gets
# --extra's arguments, or --next-extra's if it follows its --next.
set -euo pipefail
. "$(dirname "$0")/../lib.sh"
. "$(dirname "$0")/rig-lib.sh"

usage() {
	die "usage: boot.sh --kernel BZIMAGE --name NAME [--timeout SECONDS] [--vcpus N] [--memory MIB] [--extra \"ARGS\"] [--end shutdown|reboot] [--disk-backend blkback|qdisk] [--verbose] [--next NAME2 BZIMAGE2 [--next-extra \"ARGS\"]]..."
}

kernel="" name="" timeout=900 vcpus=2 memory=512 extra="" verbose=0 end=shutdown
disk_backend=blkback
next_names=() next_kernels=() next_extras=()
while [ $# -gt 0 ]; do
	case $1 in
	--verbose | -v) verbose=1; shift; continue ;;
	--next)
		[ $# -ge 3 ] || usage
		next_names+=("$2") next_kernels+=("$3") next_extras+=("")
		shift 3
		continue ;;
	--next-extra)
		[ $# -ge 2 ] && [ ${#next_names[@]} -gt 0 ] || usage
		next_extras[-1]="console=hvc0 $2"
		shift 2
		continue ;;
	--kernel | --name | --timeout | --vcpus | --memory | --extra | --end | --disk-backend)
		[ $# -ge 2 ] || usage ;;
	*) usage ;;
	esac
	case $1 in
	--kernel) kernel=$2 ;;
	--name) name=$2 ;;
	--timeout) timeout=$2 ;;
	--vcpus) vcpus=$2 ;;
	--memory) memory=$2 ;;
	--extra) extra=$2 ;;
	--end) end=$2 ;;
	--disk-backend) disk_backend=$2 ;;
	esac
	shift 2
done

# Everything that can be wrong with the arguments is said before QEMU runs.
{ [ -n "$kernel" ] && [ -n "$name" ]; } || usage
[ -f "$kernel" ] || die "kernel '$kernel' does not exist" "build it first, or fix the path"
[ -s "$kernel" ] || die "kernel '$kernel' is empty"
[ "$(dd if="$kernel" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
	die "'$kernel' is not a bzImage (no HdrS boot header)" "pass arch/x86/boot/bzImage"
[[ $name =~ ^[A-Za-z0-9_.-]+$ ]] || die "--name '$name': use letters, digits, . _ -"
# Every guest of the run: names and kernels, the first one's included.
gnames=("$name" "${next_names[@]}")
for i in "${!next_names[@]}"; do
	n=${next_names[$i]} k=${next_kernels[$i]}
	[[ $n =~ ^[A-Za-z0-9_.-]+$ ]] || die "--next '$n': use letters, digits, . _ -"
	[ "$(dd if="$k" bs=1 skip=514 count=4 2>/dev/null)" = HdrS ] ||
		die "--next $n: '$k' is not a bzImage" "build it first, or fix the path"
done
[ "$(printf '%s\n' "${gnames[@]}" | sort | uniq -d)" = "" ] || die "two guests named alike: ${gnames[*]}"
ng=${#gnames[@]}
for v in timeout vcpus memory; do
	[[ ${!v} =~ ^[1-9][0-9]*$ ]] || die "--$v '${!v}' is not a positive number"
done
{ [ "$memory" -ge 64 ] && [ "$memory" -le 1536 ]; } || die "--memory $memory: the rig has 1536 MiB for the guest at most"
case $end in
shutdown) end_reason=poweroff ;;
reboot) end_reason=reboot ;;
*) die "--end '$end': give shutdown or reboot" ;;
esac
case $disk_backend in
blkback | qdisk) ;;
*) die "--disk-backend '$disk_backend': give blkback or qdisk" ;;
esac
[[ $extra != *[\"\'\\]* ]] || die "--extra may not hold quotes or backslashes (it goes into xl's config)"
[[ $XPV_CACHE != *[,\ ]* ]] || die "XPV_CACHE '$XPV_CACHE' holds a comma or space" \
	"QEMU's multiboot module list cannot take those"

rig_deps
need qemu-system-x86_64 mke2fs debugfs tail flock socat

# Per-stage limits in seconds (how long a stage may take once the one
# before it ended), so a hang is named early. The guest stages are watched
# by dom0 first (it can still ask xl about the guest); the host's limit is
# the backstop, a minute later.
t_xen=${XPV_RIG_T_XEN:-180}
t_dom0=${XPV_RIG_T_DOM0:-360}
t_create=${XPV_RIG_T_CREATE:-120}
t_init=${XPV_RIG_T_INIT:-240}
t_off=${XPV_RIG_T_POWEROFF:-120}
t_dom0off=${XPV_RIG_T_DOM0_POWEROFF:-120}
t_grace=${XPV_RIG_T_GRACE:-90}
guest_timeout=$((timeout - t_xen - 60))
[ $guest_timeout -ge $((t_init + 60)) ] || guest_timeout=$((t_init + 60))
# Stage index of guest g's first stage is 2 + 4 g; with several guests
# their stages are named NAME/stage.
stages=(xen-up dom0-up) limits=("$t_xen" "$t_dom0")
for g in "${!gnames[@]}"; do
	p=$([ "$ng" = 1 ] || echo "${gnames[$g]}/")
	stages+=("${p}guest-created" "${p}guest-init" "${p}selftests" "${p}guest-poweroff")
	limits+=("$t_create" "$((t_init + 60))" "$((guest_timeout - t_init + 60))" "$((t_off + 60))")
done
stages+=(dom0-poweroff) limits+=("$t_dom0off")
sw=15 # width of the stage column
for st in "${stages[@]}"; do [ ${#st} -le $sw ] || sw=${#st}; done
timeout=$((timeout + (ng - 1) * (guest_timeout + 60)))

runs=$XPV_CACHE/runs
run=$runs/$name-$(date +%Y%m%d-%H%M%S)
mkdir -p "$run/payload"
ln -sfn "$(basename "$run")" "$runs/$name-latest"
serial=$run/serial.log

# --- payload drive: what dom0 needs to start the guest ---------------------
cp "$kernel" "$run/payload/bzImage"
"$RIG_DIR/guest-initramfs.sh" "$run/payload/initramfs.cpio.gz" 2>"$run/initramfs.log" || {
	cat "$run/initramfs.log" >&2
	die "building the guest initramfs failed"
}
"$RIG_DIR/dom0-peers.sh" "$run/payload/peers" 2>>"$run/initramfs.log" || {
	cat "$run/initramfs.log" >&2
	die "building the selftests' dom0 peers failed"
}
{
	printf '# read by dom0 (scripts/rig/dom0-init.sh)\n'
	printf 'NAME=%q\nMEMORY=%q\nVCPUS=%q\nEXTRA=%q\n' "$name" "$memory" "$vcpus" \
		"console=hvc0${extra:+ $extra}"
	printf 'GUEST_TIMEOUT=%q\nINIT_TIMEOUT=%q\nPOWEROFF_TIMEOUT=%q\nEND=%q\n' \
		"$guest_timeout" "$t_init" "$t_off" "$end"
	printf 'DISK_BACKEND=%q\n' "$disk_backend"
} >"$run/payload/guest.cfg"
# Further guests: next/N/ holds a bzImage and a guest.cfg that overrides NAME
# (and EXTRA, given --next-extra).
for i in "${!next_names[@]}"; do
	mkdir -p "$run/payload/next/$i"
	cp "${next_kernels[$i]}" "$run/payload/next/$i/bzImage"
	{
		printf 'NAME=%q\n' "${next_names[$i]}"
		[ -z "${next_extras[$i]}" ] || printf 'EXTRA=%q\n' "${next_extras[$i]}"
	} >"$run/payload/next/$i/guest.cfg"
done
size_mb=$(($(du -sm "$run/payload" | cut -f1) + 64))
run_logged "$run/mke2fs.log" mke2fs -q -t ext4 -L xpv-payload -d "$run/payload" \
	-F "$run/payload.img" "${size_mb}M" || die "could not make the payload drive"

dom0=$("$RIG_DIR/dom0-image.sh") || die "no dom0 image"

# One rig at a time: two TCG machines on this kind of host starve each
# other and every stage limit turns into a false hang.
mkdir -p "$XPV_CACHE/rig"
exec {rig_lock}>"$XPV_CACHE/rig/.boot-lock"
if ! flock -n "$rig_lock"; then
	log "another rig run holds $XPV_CACHE/rig/.boot-lock; waiting (30 min at most)"
	flock -w 1800 "$rig_lock" || die "another rig run kept the rig for 30 minutes" \
		"see 'pgrep -af xpv-rig-'"
fi

# --- QEMU, per the recipe in shared/DESIGN.md ("The boot rig") -------------
qpid="" tpid=""
cleanup() {
	local i
	# Whatever happened, no QEMU outlives this script.
	if [ -n "$qpid" ] && kill -0 "$qpid" 2>/dev/null; then
		kill "$qpid" 2>/dev/null || true
		for i in 1 2 3 4 5 6 7 8 9 10; do
			kill -0 "$qpid" 2>/dev/null || break
			sleep 0.3
		done
		kill -9 "$qpid" 2>/dev/null || true
		wait "$qpid" 2>/dev/null || true
	fi
	[ -z "$tpid" ] || kill "$tpid" 2>/dev/null || true
	true
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM
trap 'exit 129' HUP

# The serial line is logged to $serial and also offered on a socket, which
# nobody reads; it is there to type Xen debug keys when the machine hangs.
# -cpu: +svm gives Xen HVM (PVH); -rdtscp because QEMU's SVM gives no
# next-RIP for it; -pku or a guest without pkeys breaks on sigreturn;
# -xsave because with QEMU 7.2 the AVX state that XSAVE enables appears to
# get corrupted under Xen: dom0's grep aborted on a broken heap or spun, and
# only guests that had enabled AVX saw user memory corrupted (Documentation/rig.md).
# smep=0 smap=0: the PV dom0 dies at once otherwise. No Xen "noreboot": with
# -no-reboot QEMU then exits when dom0 powers off or Xen dies.
# snapshot=on: the cached dom0 image is never written.
: >"$serial"
t_start=$(rig_ms)
qemu-system-x86_64 -name "xpv-rig-$name" \
	-machine q35 -accel tcg -cpu max,+svm,-rdtscp,-pku,-xsave -m 3072 -smp 2 \
	-nographic -nic none -monitor none -no-reboot \
	-chardev "socket,id=ser0,path=$run/serial.sock,server=on,wait=off,logfile=$serial" \
	-serial chardev:ser0 \
	-kernel "$dom0/xen" \
	-append "console=com1 dom0_mem=1024M loglvl=all guest_loglvl=all smep=0 smap=0 conring_size=1m" \
	-initrd "$dom0/vmlinuz root=/dev/vda rw console=hvc0 init=/usr/sbin/xpv-rig-init,$dom0/initrd.img" \
	-drive "file=$dom0/dom0.img,if=virtio,format=raw,snapshot=on" \
	-drive "file=$run/payload.img,if=virtio,format=raw" \
	</dev/null >"$run/qemu.log" 2>&1 &
qpid=$!
log "QEMU pid $qpid, serial log $serial"

# --- follow the serial log ------------------------------------------------
cur=0 stage_t0=$t_start grace_end=0 fail_stage="" fail_msg="" domid=""
init_seen=0 summary="" gone_reason="" dom0_off=0
gi=-1 gbase=2 tkey="" # the guest being run: index, first stage, result key prefix
declare -a ginit=() gsummary=() ggone=()
declare -A results=()
declare -a order=() durations=()

# MESSAGE [STAGE] [go-on]; only the first failure counts. It gives dom0
# the grace time to report and power off, and then the run ends; with
# go-on (a guest crashed and more guests follow) the run goes on instead.
fail() {
	[ -n "$fail_stage" ] && return 0
	fail_stage=${2:-${stages[$cur]:-dom0-poweroff}}
	fail_msg=$1
	[ "${3:-}" = go-on ] || grace_end=$(($(rig_ms) + t_grace * 1000))
	printf 'rig: FAIL in stage %s: %s\n' "$fail_stage" "$fail_msg"
}

# Stage i is done: one line with its duration. A stage whose marker never
# came (say, a guest without a console) is listed as such, without a time.
reach() {
	local i=$1 now
	now=$(rig_ms)
	while [ "$cur" -lt "$i" ]; do
		printf 'rig: %-*s %8s\n' "$sw" "${stages[$cur]}" "(no marker)"
		cur=$((cur + 1))
	done
	[ "$cur" -eq "$i" ] || return 0
	durations[cur]=$((now - stage_t0))
	printf 'rig: %-*s %8s   (at %s)\n' "$sw" "${stages[$cur]}" \
		"$(rig_secs "${durations[$cur]}")" "$(rig_secs $((now - t_start)))"
	stage_t0=$now
	cur=$((cur + 1))
}

handle() {
	local l=$1 g=0
	while [[ $l == *$'\r' ]]; do l=${l%$'\r'}; done
	case $l in
	XPV-XLDMESG:*) return ;; # copies of hypervisor lines already seen
	XPV-GC:* | "(d"[1-9]*) g=1 ;;
	esac
	[ $g = 0 ] || [ $verbose = 0 ] || printf '  guest| %s\n' "$l"

	# Hypervisor
	if [[ $l == "(XEN) Freed "*"init memory"* ]]; then
		[ "$cur" -gt 0 ] || reach 0
	elif [[ $l == "(XEN) Panic on CPU"* ]]; then
		fail "Xen panicked: $l"
	elif [[ $l =~ ^\(XEN\)\ d[1-9][0-9]*v[0-9]+\ Triple\ fault ]] && [ $((gi < 0 ? 0 : gi)) -lt $((ng - 1)) ]; then
		# A guest's triple fault (QEMU's nested SVM deals one out now
		# and then, to either kernel) leaves Xen and dom0 running, and
		# dom0 starts the next guest once this one is gone: the run
		# fails, but the guests after it still run, so a benchmark run
		# loses one guest, not all that were still to come. (Xen may
		# report it before dom0 says the guest was created: gi -1.)
		fail "hypervisor reports a crash: $l" "" go-on
	elif [[ $l =~ ^\(XEN\).*(domain_crash|crashed\ on\ cpu|Triple\ fault|emulation\ failed) ]]; then
		fail "hypervisor reports a crash: $l"
	# dom0 (its init says XPV-RIG: ...)
	elif [[ $l == "XPV-RIG: dom0-up"* ]]; then
		reach 1
	elif [[ $l == "XPV-RIG: guest-created"* ]]; then
		domid=${l#*domid=}
		domid=${domid%% *}
		gi=$((gi + 1)) gbase=$((2 + 4 * gi))
		init_seen=0 summary="" gone_reason=""
		tkey=$([ "$ng" = 1 ] || echo "${gnames[$gi]:-guest$gi}:")
		reach $gbase
	elif [[ $l == "XPV-RIG: guest-create-failed"* ]]; then
		fail "xl create failed (see the XPV-RIG lines above it)"
	elif [[ $l == "XPV-RIG: dom0-error"* ]]; then
		fail "dom0: ${l#XPV-RIG: dom0-error: }"
	elif [[ $l =~ ^XPV-RIG:\ guest-timeout\ stage=([a-z-]+) ]]; then
		fail "guest hang: ${l#XPV-RIG: }" "${BASH_REMATCH[1]}"
	elif [[ $l =~ ^XPV-RIG:\ guest-gone\ reason=([a-z_0-9-]+) ]]; then
		gone_reason=${BASH_REMATCH[1]}
		# "halted": the kernel has no power-off handler (the reference
		# on Xen PVH) and said so; dom0 ended it (noted below).
		ggone[gi]=$gone_reason
		if [ "$gone_reason" = "$end_reason" ] ||
			{ [ "$end" = shutdown ] && [ "$gone_reason" = halted ]; }; then
			reach $((gbase + 3))
		elif [ "$gone_reason" != timeout ]; then
			fail "the guest ended by $gone_reason, not by $end_reason as dom0 asked (xl $end)"
		fi
	elif [[ $l == "XPV-RIG: dom0-poweroff"* ]]; then
		dom0_off=1
	elif [[ $l == *"Kernel panic"* ]]; then
		if [ $g = 1 ]; then fail "guest kernel panic: $l"; else fail "dom0 kernel panic: $l"; fi
	fi
	[ $g = 1 ] || return 0

	# Guest: its lines come via hvc0 (XPV-GC:) and/or the hypervisor ((dN)).
	if [ $init_seen = 0 ] && [[ $l == *"XPV-GUEST: init reached"* ]]; then
		init_seen=1 ginit[gi]=1
		reach $((gbase + 1))
	elif [[ $l =~ XPV-SELFTEST:\ ([A-Za-z0-9_.-]+):\ (PASS|FAIL|SKIP) ]]; then
		local t=$tkey${BASH_REMATCH[1]}
		if [ -z "${results[$t]:-}" ]; then
			results[$t]=${BASH_REMATCH[2]}
			order+=("$t")
			printf 'rig:   selftest %-24s %s\n' "$t" "${BASH_REMATCH[2]}"
		fi
	elif [ -z "$summary" ] && [[ $l =~ XPV-GUEST:\ summary\ (.*) ]]; then
		summary=${BASH_REMATCH[1]} gsummary[gi]=${BASH_REMATCH[1]}
		reach $((gbase + 2))
	fi
}

# Deadlines: the current stage's, the whole run's, and after a failure the
# grace time for dom0 to report and power off.
check_time() {
	local now
	now=$(rig_ms)
	if [ "$grace_end" -gt 0 ]; then
		[ "$now" -lt "$grace_end" ] || return 1
	elif [ $((now - t_start)) -ge $((timeout * 1000)) ]; then
		fail "overall timeout (${timeout}s)"
		return 1
	elif [ "$cur" -lt ${#stages[@]} ] && [ $((now - stage_t0)) -ge $((limits[cur] * 1000)) ]; then
		fail "no progress for ${limits[$cur]}s (stage limit)"
		return 1
	fi
	return 0
}

exec {sfd}< <(exec tail -n +1 -F -s 0.3 --pid="$qpid" "$serial" 2>/dev/null)
tpid=$!
buf=""
while :; do
	if IFS= read -r -t 1 -u "$sfd" chunk; then
		handle "$buf$chunk"
		buf=""
	else
		rc=$?
		if [ $rc -le 128 ]; then # EOF: QEMU has exited and tail is done
			[ -z "$buf$chunk" ] || handle "$buf$chunk"
			break
		fi
		buf+=$chunk # a line still being written
	fi
	check_time || break
done
exec {sfd}<&-

# A hang with nothing said: before QEMU goes, ask Xen what every CPU and
# domain was doing (Ctrl-A three times gives Xen the serial input; d: CPU
# registers and stacks, q: domains and vCPUs, 0: dom0's vCPU stacks).
if [ -n "$fail_stage" ] && [[ $fail_msg == "no progress"* ]] && kill -0 "$qpid" 2>/dev/null; then
	log "asking Xen for a state dump (debug keys d, q, 0) before stopping QEMU"
	{ printf '\001\001\001'; sleep 1; printf 'd'; sleep 4; printf 'q'; sleep 3; printf '0'; sleep 3; } |
		timeout 20 socat - "UNIX-CONNECT:$run/serial.sock" >/dev/null 2>&1 || true
	sleep 2
fi

qemu_rc=""
if kill -0 "$qpid" 2>/dev/null; then
	cleanup
	qemu_rc=killed
else
	wait "$qpid" && qemu_rc=0 || qemu_rc=$?
fi
qpid=""
total=$(($(rig_ms) - t_start))

if [ -z "$fail_stage" ]; then
	if [ $dom0_off = 1 ] && [ "$qemu_rc" = 0 ]; then
		reach $((${#stages[@]} - 1))
	elif [ "$qemu_rc" = 0 ]; then
		fail "QEMU exited (dom0 or Xen went down)"
	else
		fail "QEMU ended: $qemu_rc ($(tail -n 3 "$run/qemu.log" | tr '\n' ' '))"
	fi
fi

# --- results ----------------------------------------------------------------
# The guest's console: what dom0 relayed from hvc0, and what the guest wrote
# through the hypervisor (early console, port 0xe9): "(dN) ...".
sed -e 's/\r*$//' "$serial" | sed -n -e 's/^XPV-GC: //p' -e '/^(d[1-9][0-9]*) /p' \
	>"$run/guest-console.log"
# With several guests, each one's console on its own too: what came
# between its "guest-created" and the next one's.
if [ "$ng" -gt 1 ]; then
	sed -e 's/\r*$//' "$serial" | awk -v run="$run" -v names="${gnames[*]}" '
		BEGIN { n = split(names, nm, " "); g = 0 }
		/^XPV-RIG: guest-created/ { g++; f = run "/guest-console-" nm[g] ".log"; next }
		g && /^XPV-GC: / { sub(/^XPV-GC: /, ""); print > f; next }
		g && /^\(d[1-9][0-9]*\) / { print > f }'
fi
# dom0 left its logs (xl dmesg, xl's and xenconsoled's) on the payload drive.
if debugfs -R "rdump /out $run" "$run/payload.img" >/dev/null 2>&1 && [ -d "$run/out" ]; then
	mv "$run/out" "$run/dom0-out"
fi
rm -f "$run/payload.img"

failed_tests=()
for t in "${order[@]}"; do
	[ "${results[$t]}" != FAIL ] || failed_tests+=("$t")
done
for g in "${!gnames[@]}"; do
	[ -z "$fail_stage" ] || break
	p=$([ "$ng" = 1 ] || echo "${gnames[$g]}/")
	s=${gsummary[$g]:-}
	if [ "${ginit[$g]:-0}" = 0 ]; then
		fail_stage=${p}guest-init fail_msg="the guest never reached init"
	elif [ -z "$s" ]; then
		fail_stage=${p}selftests fail_msg="no selftest summary from the guest"
	elif [ ${#failed_tests[@]} -gt 0 ] || [[ $s != *" 0 failed"* ]]; then
		fail_stage=${p}selftests fail_msg="selftests failed: ${failed_tests[*]:-(see summary)}"
	fi
	[ -z "$fail_stage" ] || printf 'rig: FAIL in stage %s: %s\n' "$fail_stage" "$fail_msg"
done

{
	echo "name: $name"
	echo "kernel: $kernel"
	echo "kernel-sha256: $(sha256sum "$run/payload/bzImage" | cut -d' ' -f1)"
	echo "extra: console=hvc0${extra:+ $extra}"
	echo "vcpus: $vcpus memory: $memory timeout: $timeout"
	echo "disk-backend: $disk_backend"
	echo "dom0: $dom0"
	echo "result: $([ -z "$fail_stage" ] && echo PASS || echo FAIL)"
	[ -z "$fail_stage" ] || echo "failed-stage: $fail_stage"
	[ -z "$fail_stage" ] || echo "reason: $fail_msg"
	for i in "${!stages[@]}"; do
		[ -z "${durations[$i]:-}" ] || echo "stage ${stages[$i]}: $(rig_secs "${durations[$i]}")"
	done
	echo "total: $(rig_secs "$total")"
	for g in "${!gnames[@]}"; do
		p=$([ "$ng" = 1 ] || echo "${gnames[$g]}-")
		echo "${p}guest-shutdown: ${ggone[$g]:-none}"
		echo "${p}guest-summary: ${gsummary[$g]:-none}"
	done
	echo "guest-domid: ${domid:-none}"
	for t in "${order[@]}"; do echo "selftest $t: ${results[$t]}"; done
	echo "qemu-exit: $qemu_rc"
} >"$run/summary.txt"

if [ -n "$fail_stage" ]; then
	printf 'rig: last console lines (%s):\n' "$fail_stage"
	# The serial log is not clean text (terminal escapes, a stray binary
	# byte): grep -a, and never let an empty match end the script here.
	case $fail_stage in
	xen-up | dom0-up | dom0-poweroff) sed -e 's/\r*$//' "$serial" ;;
	*) sed -e 's/\r*$//' "$serial" |
		grep -a -E '^(XPV-GC: |XPV-RIG|XPV-XLDMESG|\(d[1-9]|\(XEN\).*(d[1-9]|[Dd]omain [1-9]))' ;;
	esac | { grep -a -v '^\s*$' || true; } | tail -n 30 | sed 's/^/  | /'
fi
# A guest without a power-off handler halts; Xen then ends it as powered
# off once every vCPU is halted with interrupts off. Fine, but say so.
if grep -aq 'Power off not available' "$run/guest-console.log"; then
	printf 'rig: note: the guest has no power-off handler and halted (%s)\n' \
		"$([ "$gone_reason" = halted ] && echo "dom0 ended it" || echo "Xen took that as power-off")" |
		tee -a "$run/summary.txt"
fi
printf 'rig: serial log      %s\n' "$serial"
printf 'rig: guest console   %s\n' "$run/guest-console.log"
printf 'rig: summary         %s\n' "$run/summary.txt"
if [ -n "$fail_stage" ]; then
	printf 'rig: %s FAILED at %s after %s\n' "$name" "$fail_stage" "$(rig_secs "$total")"
	exit 1
fi
if [ "$ng" = 1 ]; then
	printf 'rig: %s PASSED in %s (%s)\n' "$name" "$(rig_secs "$total")" "$summary"
else
	printf 'rig: %s PASSED in %s (%s)\n' "$name" "$(rig_secs "$total")" \
		"$(for g in "${!gnames[@]}"; do
			[ "$g" = 0 ] || printf '; '
			printf '%s: %s' "${gnames[$g]}" "${gsummary[$g]}"
		done)"
fi
