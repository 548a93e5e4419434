# shellcheck shell=bash
# Helpers shared by the boot rig scripts. Sourced after scripts/lib.sh.

RIG_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
RIG_CACHE=$XPV_CACHE/rig
# Where the in-guest tests (NAME.c) and their dom0 peers (NAME-peer.c) are;
# a developer may point it at a directory of tests being written.
SELFTESTS_DIR=${XPV_SELFTESTS_DIR:-$XPV_TOP/selftests}
export RIG_DIR RIG_CACHE SELFTESTS_DIR

# Build one selftest source as a static program: rig_build_static SRC OUT.
rig_build_static() {
	gcc -static -O2 -Wall -Wextra -pthread -I"$SELFTESTS_DIR" -o "$2" "$1" ||
		die "selftest $(basename "$1" .c) does not build" "fix $1"
}

# Install whatever deps.txt lists and dpkg does not have yet. The machines
# are rebuilt from scratch now and then, so the scripts carry their own needs.
rig_deps() {
	local line p missing=()
	while IFS= read -r line; do
		line=${line%%#*}
		for p in $line; do
			dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
				missing+=("$p")
		done
	done <"$RIG_DIR/deps.txt"
	[ ${#missing[@]} -eq 0 ] && return 0
	[ "$(id -u)" = 0 ] || die "missing Debian packages: ${missing[*]}" \
		"apt-get install ${missing[*]}"
	log "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	# A fresh machine may have empty package lists: update only if needed.
	apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null 2>&1 || {
		apt-get update >/dev/null 2>&1
		apt-get install -y --no-install-recommends "${missing[@]}" >/dev/null
	} || die "could not install ${missing[*]}" "check apt's sources and network"
}

# Milliseconds since the epoch, from bash itself (no fork per call).
rig_ms() {
	local t=${EPOCHREALTIME/./}
	echo $((t / 1000))
}

# 12345 (ms) -> "12.3s"
rig_secs() {
	printf '%d.%ds' $(($1 / 1000)) $((($1 % 1000) / 100))
}
