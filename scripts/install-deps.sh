#!/usr/bin/env bash
# Install the Debian packages listed in scripts/deps.txt (and the rig's)
# that are missing. Fast when nothing is missing.
set -euo pipefail
. "$(dirname "$0")/lib.sh"

mapfile -t pkgs < <(cat "$XPV_TOP/scripts/deps.txt" "$XPV_TOP/scripts/rig/deps.txt" 2>/dev/null |
	sed 's/#.*//' | tr ' ' '\n' | awk 'NF' | sort -u)
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -qx installed || missing+=("$p")
done
[ ${#missing[@]} -gt 0 ] || exit 0
command -v apt-get >/dev/null || die "missing packages: ${missing[*]}" "install them with your distribution's package manager"
[ "$(id -u)" = 0 ] || die "missing packages: ${missing[*]}" "run as root, or: sudo apt-get install ${missing[*]}"
log "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq >/dev/null || die "apt-get update failed" "check /etc/apt/sources.list and the network"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >"$XPV_CACHE/apt.log" 2>&1 || {
	tail -n 20 "$XPV_CACHE/apt.log" >&2
	die "apt-get install failed for: ${missing[*]}" "see $XPV_CACHE/apt.log"
}
log "deps: done"
