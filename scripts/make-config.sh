#!/usr/bin/env bash
# Write the guest kernel .config into a build directory.
#   make-config.sh SRC OBJ MODE     MODE: xpv | xpv-off | reference
# xpv:       tinyconfig + scripts/config/guest.config + Kconfig.fragment
#            + scripts/config/kunit.config (the options the tree defines)
# xpv-off:   the same with every option of Kconfig.fragment turned off
#            (CONFIG_KUNIT kept, so that it matches the bare base's config)
# reference: tinyconfig + guest.config + scripts/config/reference.config
set -euo pipefail
. "$(dirname "$0")/lib.sh"

[ $# -eq 3 ] || die "usage: make-config.sh SRC OBJ MODE"
src=$1 obj=$2 mode=$3
is_kernel_tree "$src" || die "'$src' is not a kernel source tree" "set KDIR to a Linux checkout"
mkdir -p "$obj"

frags=("$XPV_TOP/scripts/config/guest.config")
case $mode in
xpv)
	frags+=("$XPV_TOP/Kconfig.fragment")
	# KUnit suites come with the patches that add them: keep those the
	# tree defines (CONFIG_KUNIT itself is always there).
	: >"$obj/kunit.config"
	while IFS= read -r line; do
		case $line in CONFIG_*=*) ;; *) continue ;; esac
		sym=${line%%=*}
		if [ "$sym" = CONFIG_KUNIT ] ||
		   grep -rqsx --include='Kconfig*' "config ${sym#CONFIG_}" "$src/arch/x86" "$src/drivers"; then
			echo "$line" >>"$obj/kunit.config"
		fi
	done <"$XPV_TOP/scripts/config/kunit.config"
	frags+=("$obj/kunit.config") ;;
xpv-off)
	# KUnit stays on: then this config is the bare base's (as the
	# per-patch check builds it), and ccache serves one from the other.
	{ sed -n 's/^\(CONFIG_[A-Z0-9_]*\)=.*/# \1 is not set/p' "$XPV_TOP/Kconfig.fragment"
	  echo CONFIG_KUNIT=y; } >"$obj/xpv-off.config"
	frags+=("$obj/xpv-off.config") ;;
reference) frags+=("$XPV_TOP/scripts/config/reference.config") ;;
*) die "unknown config mode '$mode'" "use xpv, xpv-off or reference" ;;
esac

# Regenerated every time (seconds): kbuild rebuilds only what depends on a
# symbol whose value changed, and a stale .config cannot survive.
make -s -C "$src" O="$obj" ARCH=x86_64 tinyconfig >/dev/null
KCONFIG_CONFIG="$obj/.config" "$src/scripts/kconfig/merge_config.sh" -m \
	-O "$obj" "$obj/.config" "${frags[@]}" >"$obj/merge.log" 2>&1
make -s -C "$src" O="$obj" ARCH=x86_64 olddefconfig >/dev/null

# Kconfig drops what it cannot satisfy without a word: say so.
missing=0
for f in "${frags[@]}"; do
	while IFS= read -r line; do
		case $line in
		CONFIG_*=*)
			grep -qx -- "$line" "$obj/.config" || { warn "$mode: '$line' did not stick (dependency missing?)"; missing=1; } ;;
		"# CONFIG_"*" is not set")
			sym=${line#\# }; sym=${sym%% *}
			! grep -q "^$sym=" "$obj/.config" || { warn "$mode: '$sym' is still set"; missing=1; } ;;
		esac
	done <"$f"
done
# On a tree without the series, the fragment's options cannot exist yet.
[ $missing -eq 0 ] || [ "${XPV_CONFIG_LENIENT:-0}" = 1 ] ||
	die "config for mode '$mode' is incomplete" "check the dependencies of the options named above"
