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
